/// Resizing: area averaging along an axis that shrinks, bilinear interpolation along an
/// axis that grows (OpenCV's INTER_AREA rule), applied one axis at a time.
///
/// Area averaging weighs every source pixel by how much of it falls inside the output
/// pixel, so nothing is skipped when shrinking (no aliasing from 640x490 frames down to
/// 112x112). Bilinear uses pixel centres ((i + 0.5) * in/out - 0.5), as PyTorch's
/// `align_corners=False` and OpenCV do, with the edge pixels repeated.
extension GrayImage {
    /// This image at `width` x `height`.
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a size below 1.
    public func resized(width newWidth: Int, height newHeight: Int) throws -> GrayImage {
        guard newWidth > 0, newHeight > 0 else {
            throw DatasetError.invalidArgument(operation: "GrayImage.resized", message: "size must be positive, got \(newWidth)x\(newHeight)")
        }
        if newWidth == width && newHeight == height { return self }
        let horizontal = AxisResampling(from: width, to: newWidth)
        let vertical = AxisResampling(from: height, to: newHeight)
        // Rows first: (height, newWidth), then columns: (newHeight, newWidth).
        var rows = [Float](repeating: 0, count: height * newWidth)
        pixels.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    horizontal.apply(source, offset: y * width, stride: 1, into: target, offset: y * newWidth, outputStride: 1)
                }
            }
        }
        var output = [Float](repeating: 0, count: newHeight * newWidth)
        rows.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for x in 0..<newWidth {
                    vertical.apply(source, offset: x, stride: newWidth, into: target, offset: x, outputStride: newWidth)
                }
            }
        }
        return GrayImage(uncheckedWidth: newWidth, height: newHeight, pixels: output)
    }

    /// This image at `side` x `side`.
    public func resized(side: Int) throws -> GrayImage {
        try resized(width: side, height: side)
    }
}

/// The weights that map one axis of `inputLength` samples to `outputLength` samples.
struct AxisResampling {
    /// For output i: its first source index and the weights of consecutive sources from there.
    let firstSource: [Int]
    let weights: [[Float]]

    init(from inputLength: Int, to outputLength: Int) {
        let scale = Double(inputLength) / Double(outputLength)
        var firstSource = [Int]()
        var weights = [[Float]]()
        for i in 0..<outputLength {
            if scale > 1 {
                // Output pixel i covers source interval [i * scale, (i + 1) * scale).
                let start = Double(i) * scale, end = Double(i + 1) * scale
                let first = Int(start.rounded(.down))
                let last = min(Int(end.rounded(.up)) - 1, inputLength - 1)
                var row = [Float]()
                for j in first...last {
                    let overlap = min(Double(j + 1), end) - max(Double(j), start)
                    row.append(Float(max(overlap, 0) / scale))
                }
                firstSource.append(first)
                weights.append(row)
            } else {
                let centre = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(inputLength - 1))
                let first = Int(centre.rounded(.down))
                let fraction = centre - Double(first)
                if first + 1 < inputLength {
                    weights.append([Float(1 - fraction), Float(fraction)])
                } else {
                    weights.append([1])
                }
                firstSource.append(first)
            }
        }
        self.firstSource = firstSource
        self.weights = weights
    }

    /// Resamples the strided line of `source` starting at `offset` into `target`.
    func apply(_ source: UnsafeBufferPointer<Float>, offset: Int, stride: Int,
               into target: UnsafeMutableBufferPointer<Float>, offset outputOffset: Int, outputStride: Int) {
        for i in 0..<firstSource.count {
            var sum: Float = 0
            var index = offset + firstSource[i] * stride
            for weight in weights[i] {
                sum += weight * source[index]
                index += stride
            }
            target[outputOffset + i * outputStride] = sum
        }
    }
}
