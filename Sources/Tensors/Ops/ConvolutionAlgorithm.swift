import Foundation

/// How a stride-1 convolution is computed. Every algorithm gives the same result up to
/// rounding; they differ in speed by shape (Docs/Performance.md, "Third round").
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable {
    /// The measured rule (``directApplies(kernel:channels:outputChannels:)``, then
    /// ``winogradApplies(kernel:channels:outputChannels:outputSize:)``): direct loops or
    /// Winograd where they were faster on this project's machines, im2col + GEMM elsewhere.
    /// `FER_CONVOLUTION=im2col` (or `winograd`, `direct`) in the environment overrides it for
    /// the process.
    case automatic
    /// im2col + GEMM: any shape.
    case im2col
    /// Winograd F(2x2, r x r) wherever it applies (stride 1, square 3x3 or 5x5 kernel);
    /// im2col + GEMM elsewhere.
    case winograd
    /// Direct loops (output, input gradient and weight gradient) wherever they apply
    /// (stride 1, square kernel); im2col + GEMM elsewhere.
    case direct

    /// The rule behind ``automatic``, from `conv-bench` on the paper's layers (Docs/Performance.md):
    /// 5x5 kernels between layers of at least 64 channels (the paper's Conv1-b: F(2x2, 5x5)
    /// does 2.8 times fewer multiplications; 0.28 s forward and backward against the direct
    /// loops' 0.31 and im2col's 0.36); 3x3 kernels only on large planes between layers
    /// of at least 128 channels: with fewer channels, or on small planes, the transforms and
    /// the per-call kernel transform eat the 2.25-fold saving (64->128 at 56x56 and the
    /// autoencoder's 64-channel blocks were slower with Winograd).
    public static func winogradApplies(kernel: Int, channels: Int, outputChannels: Int, outputSize: Int) -> Bool {
        let narrowest = min(channels, outputChannels)
        switch kernel {
        case 5: return narrowest >= 64
        case 3: return narrowest >= 128 && outputSize >= 48 * 48
        default: return false
        }
    }

    /// What ``automatic`` stands for inside `ConvolutionAlgorithm.$override.withValue(...) { }`:
    /// a whole model (its layers pass ``automatic``) can be run with one algorithm, as the
    /// parity tests do with Winograd forced.
    @TaskLocal public static var override: ConvolutionAlgorithm?

    /// ``automatic`` unless `FER_CONVOLUTION` names another algorithm (read once).
    static let processDefault: ConvolutionAlgorithm = {
        ProcessInfo.processInfo.environment["FER_CONVOLUTION"].flatMap(ConvolutionAlgorithm.init(rawValue:)) ?? .automatic
    }()

    /// The rule behind ``automatic`` for direct loops: stride-1 layers with a single input
    /// channel (the classifiers' first layers) or at most 32 channels on both sides (the demo's
    /// layers, the autoencoder's 16-channel blocks), where im2col builds and packs a column
    /// matrix K^2 times the input for a GEMM of 32 rows or fewer. Forward and backward, batch 60
    /// at 32x32 unless noted: 16->16 5x5 12.7 ms against im2col's 21.3; 16->16 3x3 5.1 against
    /// 7.4; 32->32 5x5 at 56x56, batch 8, 19.7 against 27.6; 1->64 5x5 at 112x112, batch 8,
    /// 14-15 against 22; 32->64 3x3 at 8x8 was 10% slower, so 64 channels stay with im2col.
    public static func directApplies(kernel: Int, channels: Int, outputChannels: Int) -> Bool {
        kernel > 1 && (channels == 1 || max(channels, outputChannels) <= 32)
    }

    /// What computes a correlation of this shape.
    func plan(kernelHeight: Int, kernelWidth: Int, stride: Int, channels: Int, outputChannels: Int, outputSize: Int) -> ConvolutionPlan {
        let chosen = self == .automatic ? Self.override ?? Self.processDefault : self
        guard chosen != .im2col, stride == 1, kernelHeight == kernelWidth else { return .im2col }
        let k = kernelHeight
        let transform = k == 3 ? Self.f2x2k3 : k == 5 ? Self.f2x2k5 : nil
        switch chosen {
        case .direct: return .direct
        case .winograd: return transform.map(ConvolutionPlan.winograd) ?? .im2col
        default:
            if Self.directApplies(kernel: k, channels: channels, outputChannels: outputChannels) { return .direct }
            if let transform, Self.winogradApplies(kernel: k, channels: channels, outputChannels: outputChannels, outputSize: outputSize) {
                return .winograd(transform)
            }
            return .im2col
        }
    }

    private static let f2x2k3 = WinogradTransform(outputTile: 2, kernel: 3)
    private static let f2x2k5 = WinogradTransform(outputTile: 2, kernel: 5)
}

/// The algorithm one convolution call runs.
enum ConvolutionPlan: Equatable {
    case im2col
    case winograd(WinogradTransform)
    case direct
}
