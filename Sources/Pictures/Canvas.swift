import Foundation
import ImageDatasets

/// An RGB raster for the training program's pictures (curves, confusion matrices, image
/// grids): filled rectangles, lines, grayscale images and 5x7 bitmap text.
public struct Canvas: Sendable {
    public struct Color: Sendable, Equatable {
        public var red: UInt8, green: UInt8, blue: UInt8
        public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) { self.red = red; self.green = green; self.blue = blue }
        public static let white = Color(255, 255, 255), black = Color(0, 0, 0), gray = Color(190, 190, 190)
        /// Distinct series colours (blue, orange, green, red, purple, brown).
        public static let series = [Color(31, 119, 180), Color(255, 127, 14), Color(44, 160, 44), Color(214, 39, 40), Color(148, 103, 189), Color(140, 86, 75)]
    }

    public let width: Int, height: Int
    /// width * height * 3 bytes, row-major RGB.
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: Color = .white) {
        self.width = max(1, width)
        self.height = max(1, height)
        pixels = [UInt8](repeating: 0, count: self.width * self.height * 3)
        fill(x: 0, y: 0, width: self.width, height: self.height, color: background)
    }

    public mutating func set(x: Int, y: Int, _ color: Color) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = color.red; pixels[i + 1] = color.green; pixels[i + 2] = color.blue
    }

    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: Color) {
        let (x0, x1, y0, y1) = (max(0, x), min(width, x + w), max(0, y), min(height, y + h))
        guard x0 < x1, y0 < y1 else { return }  // entirely outside the canvas
        for yy in y0..<y1 { for xx in x0..<x1 { set(x: xx, y: yy, color) } }
    }

    /// A line from (x0, y0) to (x1, y1), `thickness` pixels wide (Bresenham).
    public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, color: Color, thickness: Int = 1) {
        var (x, y) = (x0, y0)
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        while true {
            fill(x: x - thickness / 2, y: y - thickness / 2, width: thickness, height: thickness, color: color)
            if x == x1 && y == y1 { break }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }

    /// Draws a grayscale image (values in [0, 1], clamped) with its top-left corner at (x, y),
    /// each pixel enlarged to `scale` x `scale`.
    public mutating func drawGray(_ values: [Float], side: Int, x: Int, y: Int, scale: Int = 1) {
        for row in 0..<side {
            for column in 0..<side {
                let v = UInt8(max(0, min(1, values[row * side + column])) * 255)
                fill(x: x + column * scale, y: y + row * scale, width: scale, height: scale, color: Color(v, v, v))
            }
        }
    }

    /// Text in the built-in 5x7 font (upper case; unknown characters draw as a box),
    /// `scale` pixels per font pixel, 6 * scale pixels per character.
    public mutating func text(_ string: String, x: Int, y: Int, color: Color = .black, scale: Int = 1) {
        for (index, character) in string.uppercased().enumerated() {
            let rows = BitmapFont.glyph(character)
            for (r, bits) in rows.enumerated() {
                for c in 0..<5 where bits & (1 << (4 - c)) != 0 {
                    fill(x: x + (index * 6 + c) * scale, y: y + r * scale, width: scale, height: scale, color: color)
                }
            }
        }
    }

    /// Width in pixels of `string` drawn at `scale`.
    public static func textWidth(_ string: String, scale: Int = 1) -> Int { string.count * 6 * scale }
}

extension Canvas {
    /// The picture as an 8-bit RGB PNG file.
    public func pngData() throws -> Data {
        try PNGEncoder.encode(DecodedImage(width: width, height: height, layout: .rgb, bitDepth: 8, samples: pixels.map(UInt16.init)))
    }

    /// Writes the picture as PNG (atomically) and returns the path.
    @discardableResult
    public func writePNG(to url: URL) throws -> String {
        let data = try pngData()
        do { try data.write(to: url, options: .atomic) } catch {
            throw DatasetError.unreadableFile(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
        return url.path
    }
}
