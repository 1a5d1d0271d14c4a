/// A single-channel image with Float pixels in [0, 1], row-major.
///
/// Everything between the decoder and the model works on this type: cropping, resizing,
/// augmentation and encoding for pictures.
public struct GrayImage: Sendable, Equatable {
    /// Pixels per row.
    public private(set) var width: Int
    /// Rows.
    public private(set) var height: Int
    /// height x width values, row-major.
    public private(set) var pixels: [Float]

    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` when the size is not
    ///   positive or the pixel count is not width x height.
    public init(width: Int, height: Int, pixels: [Float]) throws {
        guard width > 0, height > 0 else {
            throw DatasetError.invalidArgument(operation: "GrayImage", message: "size must be positive, got \(width)x\(height)")
        }
        guard pixels.count == width * height else {
            throw DatasetError.invalidArgument(
                operation: "GrayImage", message: "expected \(width * height) pixels for \(width)x\(height), found \(pixels.count)")
        }
        self.init(uncheckedWidth: width, height: height, pixels: pixels)
    }

    /// For callers that have already checked the count.
    init(uncheckedWidth width: Int, height: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height, "internal: GrayImage size/count mismatch")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A square image of `side` x `side` pixels.
    public init(side: Int, pixels: [Float]) throws {
        try self.init(width: side, height: side, pixels: pixels)
    }

    /// The pixel at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> Float {
        pixels[y * width + x]
    }
}
