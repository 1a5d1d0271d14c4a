/// An image as stored in its file: interleaved channels at 8 or 16 bits per sample.
public struct DecodedImage: Sendable, Equatable {
    /// The channels of each pixel, in storage order.
    public enum Layout: Int, Sendable, Equatable {
        /// One luminance sample per pixel.
        case gray = 1
        /// Luminance then alpha.
        case grayAlpha = 2
        /// Red, green, blue.
        case rgb = 3
        /// Red, green, blue, alpha.
        case rgba = 4

        /// Samples per pixel.
        public var channels: Int { rawValue }
    }

    /// Pixels per row.
    public var width: Int
    /// Rows.
    public var height: Int
    /// The channels of each pixel.
    public var layout: Layout
    /// 8 or 16.
    public var bitDepth: Int
    /// height x width x channels samples, row-major; 8-bit values are 0...255, 16-bit 0...65535.
    public var samples: [UInt16]

    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` when the sample count
    ///   does not match the size and layout or the bit depth is not 8 or 16.
    public init(width: Int, height: Int, layout: Layout, bitDepth: Int, samples: [UInt16]) throws {
        guard width > 0, height > 0 else {
            throw DatasetError.invalidArgument(operation: "DecodedImage", message: "size must be positive, got \(width)x\(height)")
        }
        guard bitDepth == 8 || bitDepth == 16 else {
            throw DatasetError.invalidArgument(operation: "DecodedImage", message: "bit depth must be 8 or 16, got \(bitDepth)")
        }
        guard samples.count == width * height * layout.channels else {
            throw DatasetError.invalidArgument(
                operation: "DecodedImage",
                message: "expected \(width * height * layout.channels) samples for \(width)x\(height) \(layout), found \(samples.count)")
        }
        self.width = width
        self.height = height
        self.layout = layout
        self.bitDepth = bitDepth
        self.samples = samples
    }

    /// The largest sample value: 255 or 65535.
    public var maximumValue: Int { bitDepth == 16 ? 65_535 : 255 }

    /// The luma of each pixel scaled to [0, 1]: Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601,
    /// what PIL's `convert("L")` and OpenCV's grayscale read use). Alpha is ignored, as
    /// they ignore it: the colour samples are kept whatever their opacity.
    public func grayscale() -> GrayImage {
        let scale = 1 / Float(maximumValue)
        let channels = layout.channels
        var pixels = [Float](repeating: 0, count: width * height)
        samples.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                switch layout {
                case .gray, .grayAlpha:
                    for i in 0..<target.count { target[i] = Float(source[i * channels]) * scale }
                case .rgb, .rgba:
                    for i in 0..<target.count {
                        let base = i * channels
                        let luma = 0.299 * Float(source[base]) + 0.587 * Float(source[base + 1]) + 0.114 * Float(source[base + 2])
                        target[i] = luma * scale
                    }
                }
            }
        }
        return GrayImage(uncheckedWidth: width, height: height, pixels: pixels)
    }
}
