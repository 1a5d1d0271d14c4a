/// How the threshold T of Algorithm 1 is chosen from the divergences S of a mini-batch.
public enum ThresholdRule: Sendable, Equatable, Codable {
    /// A constant T (eq. 11, the paper's Ours(T)).
    case fixed(Double)
    /// T = mean of S over the mini-batch (eq. 14, Ours(BT)).
    case batchMean
    /// T = the q-quantile of S over the mini-batch (linear interpolation), so about a share
    /// 1 - q of each batch is masked whatever the scale of S.
    case batchQuantile(Double)
    /// T = an exponential moving average of the batch means, T <- m * T + (1 - m) * mean(S),
    /// starting at the first batch's mean: steadier than ``batchMean`` on small batches.
    case runningMean(momentum: Double)
    /// T = median + k * MAD of S over the batch (a robust outlier rule).
    case medianAbsoluteDeviation(k: Double)

    /// Parses the command-line form: `fixed:0.1`, `batch`, `quantile:0.8`, `running:0.9`, `mad:3`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? Double(parts[1]) : nil
        func need(_ name: String) throws -> Double {
            guard let argument else { throw TensorError.invalidArgument(op: "ThresholdRule", message: "\(name) needs a number, as in \(name):0.5") }
            return argument
        }
        switch parts.first ?? "" {
        case "fixed": self = .fixed(try need("fixed"))
        case "batch": self = .batchMean
        case "quantile": self = .batchQuantile(try need("quantile"))
        case "running": self = .runningMean(momentum: try need("running"))
        case "mad": self = .medianAbsoluteDeviation(k: try need("mad"))
        default:
            throw TensorError.invalidArgument(op: "ThresholdRule", message: "unknown rule \(text); use fixed:T, batch, quantile:q, running:m or mad:k")
        }
    }
}

/// What the mask decided for one mini-batch.
public struct MaskDecision: Sendable, Equatable {
    /// 1 keeps a sample's gradient, 0 masks it (eq. 11: m_i = 1 if S_i < T).
    public let keep: [Bool]
    /// The threshold used.
    public let threshold: Double
    /// The divergences the decision was made from.
    public let divergences: [Double]
    /// Share of the batch that was masked, in [0, 1].
    public var maskedShare: Double { keep.isEmpty ? 0 : Double(keep.filter { !$0 }.count) / Double(keep.count) }
    /// The mask as 1/0 weights, for multiplying per-sample losses.
    public func weights<Scalar: TensorScalar>(as _: Scalar.Type = Scalar.self) -> Tensor<Scalar> { Tensor(keep.map { $0 ? 1 : 0 }) }

    public init(keep: [Bool], threshold: Double, divergences: [Double]) {
        self.keep = keep; self.threshold = threshold; self.divergences = divergences
    }
}

/// The neighborhood-aware mask of Algorithm 1: a sample whose prediction moves too much
/// under semantic perturbation (a large symmetric KL, S_i >= T) is likely mislabelled or
/// ambiguous, and gives no gradient this step.
public struct NeighborhoodMask: Sendable, Equatable, Codable {
    public let rule: ThresholdRule
    /// The running threshold of ``ThresholdRule/runningMean(momentum:)`` (saved in checkpoints).
    public private(set) var runningThreshold: Double?

    /// - Throws: for a quantile outside [0, 1], a momentum outside [0, 1) or a negative k.
    public init(rule: ThresholdRule) throws {
        switch rule {
        case .batchQuantile(let q) where !(0...1).contains(q):
            throw TensorError.invalidArgument(op: "NeighborhoodMask", message: "quantile must be in [0, 1], got \(q)")
        case .runningMean(let m) where !(m >= 0 && m < 1):
            throw TensorError.invalidArgument(op: "NeighborhoodMask", message: "running-mean momentum must be in [0, 1), got \(m)")
        case .medianAbsoluteDeviation(let k) where k < 0:
            throw TensorError.invalidArgument(op: "NeighborhoodMask", message: "k must be at least 0, got \(k)")
        case .fixed(let t) where !t.isFinite:
            throw TensorError.invalidArgument(op: "NeighborhoodMask", message: "the fixed threshold must be finite, got \(t)")
        default: break
        }
        self.rule = rule
    }

    /// Restores the running threshold from a checkpoint.
    public mutating func restore(runningThreshold: Double?) { self.runningThreshold = runningThreshold }

    /// Decides the mask for one mini-batch of divergences S (one per sample).
    /// - Throws: for an empty batch or a non-finite divergence (a diverged model).
    public mutating func decide(divergences s: [Double]) throws -> MaskDecision {
        guard !s.isEmpty else { throw TensorError.invalidArgument(op: "NeighborhoodMask", message: "empty batch") }
        if let bad = s.first(where: { !$0.isFinite }) {
            throw TensorError.invalidArgument(op: "NeighborhoodMask", message: "divergence \(bad) is not finite")
        }
        let mean = s.reduce(0, +) / Double(s.count)
        let threshold: Double
        switch rule {
        case .fixed(let t): threshold = t
        case .batchMean: threshold = mean
        case .batchQuantile(let q): threshold = Self.quantile(s, q)
        case .runningMean(let m):
            threshold = runningThreshold.map { m * $0 + (1 - m) * mean } ?? mean
            runningThreshold = threshold
        case .medianAbsoluteDeviation(let k):
            let median = Self.quantile(s, 0.5)
            threshold = median + k * Self.quantile(s.map { abs($0 - median) }, 0.5)
        }
        // Eq. 11 keeps S_i < T. With a batch statistic a whole batch of equal divergences
        // would be masked entirely; keep those (nothing distinguishes them).
        let keep = s.map { $0 < threshold || s.allSatisfy { $0 == s[0] } }
        return MaskDecision(keep: keep, threshold: threshold, divergences: s)
    }

    static func quantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
    }
}
