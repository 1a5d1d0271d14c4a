import Testing
import TestSupport
@testable import Tensors

/// im2col against the definition, element by element (a copy: exact), for "same" geometries
/// (the one-copy-per-kernel-position path) and others, whole images and bands of rows, with
/// the column matrix's rows wider than the band (several images side by side).
@Suite("im2col")
struct Im2ColTests {
    static let geometries: [(h: Int, w: Int, k: Int, s: Int, p: Int)] = [
        (9, 8, 3, 1, 1), (6, 11, 5, 1, 2), (4, 4, 3, 1, 1), (3, 5, 7, 1, 3), (9, 8, 3, 2, 1), (7, 6, 3, 1, 0), (5, 5, 1, 1, 0),
    ]

    @Test(arguments: geometries)
    func matchesTheDefinition(_ t: (h: Int, w: Int, k: Int, s: Int, p: Int)) {
        let g = ConvGeometry(channels: 3, height: t.h, width: t.w, kernelHeight: t.k, kernelWidth: t.k, stride: t.s, padding: t.p)
        var generator = SeededGenerator(seed: 5)
        let image = (0..<(3 * t.h * t.w)).map { _ in Float(generator.nextUnitDouble()) + 1 }
        let (OH, OW) = (g.outputHeight, g.outputWidth)
        for rows in [0..<OH, 0..<max(1, OH / 2), (OH / 2)..<OH, min(1, OH - 1)..<OH] where !rows.isEmpty {
            let extra = 5  // the matrix is wider than the band: another image's columns would follow
            let stride = rows.count * OW + extra
            var columns = [Float](repeating: -7, count: g.columnRows * stride)
            image.withUnsafeBufferPointer { x in
                columns.withUnsafeMutableBufferPointer { out in
                    im2col(x.baseAddress!, g, outputRows: rows, into: out.baseAddress!, rowStride: stride)
                }
            }
            var mismatches = 0
            for c in 0..<3 { for kh in 0..<t.k { for kw in 0..<t.k {
                let row = (c * t.k + kh) * t.k + kw
                for oh in rows { for ow in 0..<OW {
                    let ih = oh * t.s - t.p + kh, iw = ow * t.s - t.p + kw
                    let expected: Float = (0..<t.h).contains(ih) && (0..<t.w).contains(iw) ? image[(c * t.h + ih) * t.w + iw] : 0
                    if columns[row * stride + (oh - rows.lowerBound) * OW + ow] != expected { mismatches += 1 }
                } }
                for j in 0..<extra where columns[row * stride + rows.count * OW + j] != -7 { mismatches += 1 }
            } } }
            #expect(mismatches == 0, "\(t) rows \(rows): \(mismatches) wrong entries")
        }
    }
}
