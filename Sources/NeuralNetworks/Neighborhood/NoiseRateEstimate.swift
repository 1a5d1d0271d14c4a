import Foundation

/// Estimates the share of mislabelled samples from their scores (losses), by fitting a
/// two-component Gaussian mixture with EM and reading the weight of the component with the
/// larger mean: clean samples gather at small losses, mislabelled ones at large losses.
///
/// A mixture fitted to a unimodal but skewed distribution (the losses of a clean class)
/// still splits it, and its tail component can weigh 30% or more. So the components must
/// be separated, by Ashman's D = sqrt(2) |m1 - m0| / sqrt(s0^2 + s1^2) > 2 (Ashman, Bird and
/// Zepf, 1994: the usual criterion for a clean bimodal split); otherwise the estimate is 0.
public enum NoiseRateEstimate {
    /// Least Ashman's D for the two components to count as two groups.
    public static let minimumSeparation = 2.0

    /// A fitted two-component mixture: the low component (clean samples) and the high one.
    public struct Mixture: Sendable, Equatable {
        public var lowMean: Double, lowDeviation: Double, lowWeight: Double
        public var highMean: Double, highDeviation: Double, highWeight: Double

        /// The high component's posterior probability for a score.
        public func highPosterior(_ x: Double) -> Double {
            let d0 = lowWeight * density(x, lowMean, lowDeviation), d1 = highWeight * density(x, highMean, highDeviation)
            return d0 + d1 > 0 ? d1 / (d0 + d1) : (abs(x - highMean) < abs(x - lowMean) ? 1 : 0)
        }

        /// The score above which a sample more likely belongs to the high component: midway
        /// between the least of `scores` at or above the low mean whose high posterior is at
        /// least 0.5 and the score before it (or the low mean). The scan starts at the low
        /// mean because a wider high component also wins the far low tail. Infinity when no
        /// score qualifies.
        public func boundary(among scores: [Double]) -> Double {
            let ascending = scores.filter { $0 >= lowMean && $0.isFinite }.sorted()
            guard let first = ascending.firstIndex(where: { highPosterior($0) >= 0.5 }) else { return .infinity }
            let before = first > 0 ? ascending[first - 1] : lowMean
            return (before + ascending[first]) / 2
        }
    }

    /// The mixture fitted by EM to `scores`, or nil for fewer than 8 scores, scores that do not
    /// vary, or components closer than ``minimumSeparation``.
    public static func fit(_ scores: [Double], iterations: Int = 50) -> Mixture? {
        let values = scores.filter(\.isFinite)
        guard values.count >= 8, let low = values.min(), let high = values.max(), high > low else { return nil }
        let sorted = values.sorted()
        // Start from the lower and upper quartiles with the overall spread.
        var mean = [sorted[sorted.count / 4], sorted[(3 * sorted.count) / 4]]
        let spread = high - low
        // A floor on the deviations keeps a component from collapsing onto one repeated value.
        let floor = 1e-3 * spread
        var deviation = [max(spread / 4, floor), max(spread / 4, floor)]
        var weight = [0.5, 0.5]
        var responsibility = [Double](repeating: 0, count: values.count)
        for _ in 0..<iterations {
            // E step: the high component's responsibility for each value.
            for (i, x) in values.enumerated() {
                let d0 = weight[0] * density(x, mean[0], deviation[0]), d1 = weight[1] * density(x, mean[1], deviation[1])
                responsibility[i] = d0 + d1 > 0 ? d1 / (d0 + d1) : (abs(x - mean[1]) < abs(x - mean[0]) ? 1 : 0)
            }
            // M step.
            let n1 = responsibility.reduce(0, +), n0 = Double(values.count) - n1
            guard n1 > 1e-9, n0 > 1e-9 else {
                // Every score went to one component: all high (weight 1) or no two groups.
                guard n1 > n0, mean[1] > mean[0] else { return nil }
                return Mixture(lowMean: mean[0], lowDeviation: deviation[0], lowWeight: 0,
                               highMean: mean[1], highDeviation: deviation[1], highWeight: 1)
            }
            var sum = [0.0, 0.0]
            for (i, x) in values.enumerated() { sum[0] += (1 - responsibility[i]) * x; sum[1] += responsibility[i] * x }
            mean = [sum[0] / n0, sum[1] / n1]
            var square = [0.0, 0.0]
            for (i, x) in values.enumerated() {
                square[0] += (1 - responsibility[i]) * (x - mean[0]) * (x - mean[0])
                square[1] += responsibility[i] * (x - mean[1]) * (x - mean[1])
            }
            deviation = [max((square[0] / n0).squareRoot(), floor), max((square[1] / n1).squareRoot(), floor)]
            weight = [n0 / Double(values.count), n1 / Double(values.count)]
        }
        let separation = 2.0.squareRoot() * abs(mean[1] - mean[0]) / (deviation[0] * deviation[0] + deviation[1] * deviation[1]).squareRoot()
        guard separation > minimumSeparation else { return nil }
        let (l, h) = mean[1] >= mean[0] ? (0, 1) : (1, 0)
        return Mixture(lowMean: mean[l], lowDeviation: deviation[l], lowWeight: weight[l],
                       highMean: mean[h], highDeviation: deviation[h], highWeight: weight[h])
    }

    /// The weight of the high-mean component, clamped to [0, 0.9]; 0 where ``fit(_:iterations:)``
    /// finds no two groups.
    public static func highComponentWeight(of scores: [Double], iterations: Int = 50) -> Double {
        guard let mixture = fit(scores, iterations: iterations) else { return 0 }
        return min(0.9, max(0, mixture.highWeight))
    }

    static func density(_ x: Double, _ mean: Double, _ deviation: Double) -> Double {
        let z = (x - mean) / deviation
        return exp(-0.5 * z * z) / deviation
    }
}
