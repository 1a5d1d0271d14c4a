/// The affine map the loader applies to pixels in [0, 1] before they reach the model:
/// (x - mean) / standardDeviation. The paper does not give one; ``identity`` keeps [0, 1].
public struct PixelNormalization: Sendable, Equatable, Codable {
    /// Subtracted from every pixel.
    public let mean: Float
    /// Divides every pixel after the mean is subtracted.
    public let standardDeviation: Float

    /// Leaves pixels in [0, 1].
    public static let identity = PixelNormalization(uncheckedMean: 0, standardDeviation: 1)
    /// Maps [0, 1] to [-1, 1] (mean 0.5, standard deviation 0.5).
    public static let symmetric = PixelNormalization(uncheckedMean: 0.5, standardDeviation: 0.5)

    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` unless the standard
    ///   deviation is positive and both values are finite.
    public init(mean: Float, standardDeviation: Float) throws {
        guard mean.isFinite, standardDeviation.isFinite, standardDeviation > 0 else {
            throw DatasetError.invalidArgument(
                operation: "PixelNormalization", message: "expected a finite mean and a positive standard deviation, got \(mean), \(standardDeviation)")
        }
        self.init(uncheckedMean: mean, standardDeviation: standardDeviation)
    }

    private init(uncheckedMean mean: Float, standardDeviation: Float) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// The mean and standard deviation of every pixel of the given images (for example the
    /// training set's), so that normalised pixels have mean 0 and variance 1.
    public static func fitted(to images: [[Float]]) throws -> PixelNormalization {
        var sum = 0.0, squares = 0.0, count = 0
        for image in images {
            for value in image {
                sum += Double(value)
                squares += Double(value) * Double(value)
            }
            count += image.count
        }
        guard count > 0 else {
            throw DatasetError.invalidArgument(operation: "PixelNormalization.fitted", message: "no pixels to fit")
        }
        let mean = sum / Double(count)
        let variance = max(squares / Double(count) - mean * mean, 0)
        return try PixelNormalization(mean: Float(mean), standardDeviation: Float(max(variance.squareRoot(), 1e-6)))
    }

    /// Applies the map in place.
    public func apply(to pixels: inout [Float]) {
        if self == .identity { return }
        let scale = 1 / standardDeviation
        for i in pixels.indices { pixels[i] = (pixels[i] - mean) * scale }
    }
}
