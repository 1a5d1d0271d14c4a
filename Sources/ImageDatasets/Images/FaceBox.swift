/// A rectangle in pixel coordinates (x to the right, y down), such as a face box from an
/// annotation file or the box around a face's landmarks.
public struct FaceBox: Sendable, Equatable, Codable {
    /// Left edge.
    public var x: Double
    /// Top edge.
    public var y: Double
    /// Width in pixels.
    public var width: Double
    /// Height in pixels.
    public var height: Double

    /// A box with its top-left corner at (x, y).
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The smallest box holding every point; nil for no points.
    public init?(enclosing points: [(x: Double, y: Double)]) {
        guard let first = points.first else { return nil }
        var minX = first.x, maxX = first.x, minY = first.y, maxY = first.y
        for point in points.dropFirst() {
            minX = min(minX, point.x)
            maxX = max(maxX, point.x)
            minY = min(minY, point.y)
            maxY = max(maxY, point.y)
        }
        self.init(x: minX, y: minY, width: maxX - minX, height: maxY - minY)
    }

    /// The box grown on every side by `margin` times its width (left and right) and its
    /// height (top and bottom): a margin of 0.15 is the paper's 15% for CK+.
    public func expanded(byMargin margin: Double) -> FaceBox {
        FaceBox(x: x - margin * width, y: y - margin * height,
                width: width * (1 + 2 * margin), height: height * (1 + 2 * margin))
    }

    /// The square with the same centre whose side is the longer of width and height, so
    /// that resizing the crop to a square does not stretch the face.
    public func squared() -> FaceBox {
        let side = max(width, height)
        return FaceBox(x: x + (width - side) / 2, y: y + (height - side) / 2, width: side, height: side)
    }
}
