import Foundation
import Tensors

/// Seeded training-time augmentation: horizontal flip, small shift, rotation and random
/// crop (a zoom of up to 1/``minimumCropScale``), done as one affine warp with bilinear
/// sampling and the edge pixels repeated beyond the border.
public struct Augmentation: Sendable, Equatable, Codable {
    /// Chance of mirroring the image left-right.
    public let flipProbability: Double
    /// Largest shift along each axis, as a fraction of the side.
    public let maximumShift: Double
    /// Largest rotation either way, in degrees.
    public let maximumRotationDegrees: Double
    /// Smallest crop, as a fraction of the side, that is scaled back up to the side (1: no crop).
    public let minimumCropScale: Double

    /// No change at all.
    public static let none = Augmentation(uncheckedFlip: 0, shift: 0, rotation: 0, cropScale: 1)
    /// Flip half the time, shift up to 5%, rotate up to 10 degrees, crop down to 90%.
    public static let standard = Augmentation(uncheckedFlip: 0.5, shift: 0.05, rotation: 10, cropScale: 0.9)

    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a probability outside
    ///   [0, 1], a shift outside [0, 0.5], a rotation outside [0, 180] or a crop scale outside (0, 1].
    public init(flipProbability: Double = 0.5, maximumShift: Double = 0.05,
                maximumRotationDegrees: Double = 10, minimumCropScale: Double = 1) throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw DatasetError.invalidArgument(operation: "Augmentation", message: message) }
        }
        try check((0...1).contains(flipProbability), "flip probability must be in [0, 1], got \(flipProbability)")
        try check((0...0.5).contains(maximumShift), "maximum shift must be a fraction in [0, 0.5], got \(maximumShift)")
        try check((0...180).contains(maximumRotationDegrees), "maximum rotation must be in [0, 180] degrees, got \(maximumRotationDegrees)")
        try check(minimumCropScale > 0 && minimumCropScale <= 1, "minimum crop scale must be in (0, 1], got \(minimumCropScale)")
        self.init(uncheckedFlip: flipProbability, shift: maximumShift, rotation: maximumRotationDegrees, cropScale: minimumCropScale)
    }

    private init(uncheckedFlip flip: Double, shift: Double, rotation: Double, cropScale: Double) {
        flipProbability = flip
        maximumShift = shift
        maximumRotationDegrees = rotation
        minimumCropScale = cropScale
    }

    /// A randomly transformed copy of the `side` x `side` image `pixels`.
    ///
    /// Always draws five numbers from `generator` (flip, angle, two shifts, scale), so the
    /// stream stays aligned whatever the settings.
    public func apply<G: RandomNumberGenerator>(to pixels: [Float], side: Int, using generator: inout G) -> [Float] {
        let flip = generator.nextUnitDouble() < flipProbability
        let angle = (2 * generator.nextUnitDouble() - 1) * maximumRotationDegrees * Double.pi / 180
        let shiftX = (2 * generator.nextUnitDouble() - 1) * maximumShift * Double(side)
        let shiftY = (2 * generator.nextUnitDouble() - 1) * maximumShift * Double(side)
        let scale = minimumCropScale + generator.nextUnitDouble() * (1 - minimumCropScale)
        if !flip && angle == 0 && shiftX == 0 && shiftY == 0 && scale == 1 { return pixels }

        // Inverse map, output -> source: undo the shift, the rotation, the zoom, then the flip.
        // It is affine, source = M (u, v) + t, so each row steps by M's first column.
        let centre = Double(side - 1) / 2
        let cosine = cos(angle), sine = sin(angle)
        let mirror = flip ? -1.0 : 1.0
        let m00 = mirror * cosine * scale, m01 = mirror * sine * scale
        let m10 = -sine * scale, m11 = cosine * scale
        let offsetX = -centre - shiftX, offsetY = -centre - shiftY
        let t0 = centre + m00 * offsetX + m01 * offsetY
        let t1 = centre + m10 * offsetX + m11 * offsetY
        var output = [Float](repeating: 0, count: side * side)
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for v in 0..<side {
                    var x = m01 * Double(v) + t0
                    var y = m11 * Double(v) + t1
                    for u in 0..<side {
                        target[v * side + u] = Self.sample(source, side: side, x: x, y: y)
                        x += m00
                        y += m10
                    }
                }
            }
        }
        return output
    }

    /// Bilinear sample at (x, y) with coordinates clamped to the image (edge repeat).
    @inline(__always)
    private static func sample(_ pixels: UnsafeBufferPointer<Float>, side: Int, x: Double, y: Double) -> Float {
        let limit = Double(side - 1)
        let cx = min(max(x, 0), limit), cy = min(max(y, 0), limit)
        let x0 = Int(cx), y0 = Int(cy)
        let x1 = min(x0 + 1, side - 1), y1 = min(y0 + 1, side - 1)
        let fx = Float(cx - Double(x0)), fy = Float(cy - Double(y0))
        let top = pixels[y0 * side + x0] * (1 - fx) + pixels[y0 * side + x1] * fx
        let bottom = pixels[y1 * side + x0] * (1 - fx) + pixels[y1 * side + x1] * fx
        return top * (1 - fy) + bottom * fy
    }
}
