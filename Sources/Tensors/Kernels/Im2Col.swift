// Legend: C channels, H x W input image, KH x KW kernel, OH x OW output positions,
// S stride, P zero padding. Buffers are row-major.

/// The geometry shared by a convolution and its transpose.
public struct ConvGeometry: Sendable, Equatable {
    public var channels: Int, height: Int, width: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var stride: Int, padding: Int
    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Rows of the column matrix: C * KH * KW.
    public var columnRows: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix: OH * OW.
    public var columnCount: Int { outputHeight * outputWidth }

    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int) {
        self.channels = channels; self.height = height; self.width = width
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.stride = stride; self.padding = padding
    }
}

/// Unfolds one image (C, H, W) into columns (C*KH*KW, R*OW) for the output rows
/// `outputRows` (R of them; all OH rows by default): column j holds the input patch that
/// output position j of those rows sees, zeros where the patch overhangs the padding.
/// Working on a band of rows keeps the column matrix small enough to stay in cache.
/// `rowStride` (default R*OW) lets several images' columns sit side by side in one matrix.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func im2col<Scalar: TensorScalar>(
    _ image: UnsafePointer<Scalar>, _ g: ConvGeometry, outputRows: Range<Int>? = nil, into columns: UnsafeMutablePointer<Scalar>,
    rowStride: Int? = nil
) {
    let (H, W, KH, KW, S, P) = (g.height, g.width, g.kernelHeight, g.kernelWidth, g.stride, g.padding)
    let OW = g.outputWidth
    let rows = outputRows ?? 0..<g.outputHeight
    let bandSize = rowStride ?? rows.count * OW  // distance between rows of the column matrix
    if S == 1 && OW == W {
        sameSizeIm2col(image, g, rows: rows, into: columns, bandSize: bandSize)
        return
    }
    var row = 0
    for c in 0..<g.channels {
        let plane = image + c * H * W
        for kh in 0..<KH {
            for kw in 0..<KW {
                let out = columns + row * bandSize
                for oh in rows {
                    let ih = oh * S - P + kh
                    let line = out + (oh - rows.lowerBound) * OW
                    if ih < 0 || ih >= H {
                        for ow in 0..<OW { line[ow] = 0 }
                        continue
                    }
                    let source = plane + ih * W
                    if S == 1 {
                        // Contiguous run: valid ow satisfy 0 <= ow - P + kw < W. Rows are short
                        // (tens of elements), so plain loops beat calls to memmove and memset.
                        let first = min(max(0, P - kw), OW), last = max(min(OW, W + P - kw), first)
                        for ow in 0..<first { line[ow] = 0 }
                        let from = source + (first + kw - P), to = line + first  // both inside their buffers
                        for j in 0..<(last &- first) { to[j] = from[j] }
                        for ow in last..<OW { line[ow] = 0 }
                    } else {
                        for ow in 0..<OW {
                            let iw = ow * S - P + kw
                            line[ow] = (iw >= 0 && iw < W) ? source[iw] : 0
                        }
                    }
                }
                row += 1
            }
        }
    }
}

/// im2col for stride 1 when the output is as wide as the input (2P = KW - 1: every "same"
/// convolution of the paper's models). For one (c, kh, kw) the band's block is the input plane
/// shifted by kh - P rows and d = kw - P columns, so it is one flat copy shifted by
/// (kh - P) * W + d, followed by zeroing the |d| columns at each row's edge that the flat copy
/// took from the neighbouring row, and the rows above or below the image. One memmove per
/// kernel position instead of a short loop per output row (rows of 4-32 elements left the
/// copy in its scalar tail).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func sameSizeIm2col<Scalar: TensorScalar>(
    _ image: UnsafePointer<Scalar>, _ g: ConvGeometry, rows: Range<Int>, into columns: UnsafeMutablePointer<Scalar>, bandSize: Int
) {
    let (H, W, KH, KW, P) = (g.height, g.width, g.kernelHeight, g.kernelWidth, g.padding)
    let first = rows.lowerBound
    var row = 0
    for c in 0..<g.channels {
        let plane = image + c * H * W
        for kh in 0..<KH {
            // Output rows whose input row oh - P + kh lies inside the image.
            let lo = min(max(first, P - kh), rows.upperBound), hi = max(min(rows.upperBound, H + P - kh), lo)
            for kw in 0..<KW {
                let out = columns + row * bandSize
                let d = kw - P
                if lo > first { out.update(repeating: 0, count: (lo - first) * W) }
                if hi < rows.upperBound { (out + (hi - first) * W).update(repeating: 0, count: (rows.upperBound - hi) * W) }
                if hi > lo {
                    let count = (hi - lo) * W
                    let target = out + (lo - first) * W, source = plane + (lo - P + kh) * W + d
                    // The first -d (or last d) elements would read outside the image; they are
                    // edge columns, zeroed below.
                    let skipFront = max(0, -d), skipBack = max(0, d)
                    if count > skipFront + skipBack {
                        (target + skipFront).update(from: source + skipFront, count: count - skipFront - skipBack)
                    }
                    if d != 0 {
                        // Column by column, a strided loop: row by row, the compiler made each
                        // row's one or two zeros a call to memset (6% of a demo-sized step).
                        let width = min(abs(d), W), rowCount = hi - lo
                        let edge = d > 0 ? (W - width)..<W : 0..<width
                        for j in edge {
                            let column = target + j
                            for oh in 0..<rowCount { column[oh &* W] = 0 }
                        }
                    }
                }
                row += 1
            }
        }
    }
}

/// Folds columns (C*KH*KW, R*OW) of the output rows `outputRows` back into an image
/// (C, H, W), adding overlapping contributions: the adjoint of
/// ``im2col(_:_:outputRows:into:rowStride:)``. The image is accumulated into, not overwritten, so
/// callers zero it first when they want a fresh result.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func col2im<Scalar: TensorScalar>(
    _ columns: UnsafePointer<Scalar>, _ g: ConvGeometry, outputRows: Range<Int>? = nil, addingInto image: UnsafeMutablePointer<Scalar>,
    rowStride: Int? = nil
) {
    let (H, W, KH, KW, S, P) = (g.height, g.width, g.kernelHeight, g.kernelWidth, g.stride, g.padding)
    let OW = g.outputWidth
    let rows = outputRows ?? 0..<g.outputHeight
    let bandSize = rowStride ?? rows.count * OW  // distance between rows of the column matrix
    var row = 0
    for c in 0..<g.channels {
        let plane = image + c * H * W
        for kh in 0..<KH {
            for kw in 0..<KW {
                let input = columns + row * bandSize
                for oh in rows {
                    let ih = oh * S - P + kh
                    if ih < 0 || ih >= H { continue }
                    let target = plane + ih * W
                    let line = input + (oh - rows.lowerBound) * OW
                    if S == 1 {
                        let first = max(0, P - kw), last = min(OW, W + P - kw)
                        if last > first {
                            // Plain pointers and a counted loop: no overflow checks, so it vectorises.
                            let destination = target + (first - P + kw), source = line + first
                            for ow in 0..<(last &- first) { destination[ow] += source[ow] }
                        }
                    } else {
                        for ow in 0..<OW {
                            let iw = ow * S - P + kw
                            if iw >= 0 && iw < W { target[iw] += line[ow] }
                        }
                    }
                }
                row += 1
            }
        }
    }
}

extension ConvGeometry {
    /// One GEMM's worth of a batched convolution: a run of samples, or one sample's band
    /// of output rows.
    public struct WorkItem: Sendable, Equatable {
        public let samples: Range<Int>
        public let rows: Range<Int>
        /// Columns of the item's column matrix: samples x rows x OW.
        public let width: Int
    }

    /// Splits a batch of `batch` images into work items whose column matrix holds about
    /// `targetBytes` (by default half a megabyte or 384 columns, whichever is larger, so it
    /// stays in the core's cache between im2col and the GEMM that reads it). Small images
    /// are grouped several to a GEMM (one large GEMM beats many small ones); large images are
    /// cut into bands of output rows.
    ///
    /// With `workers` > 1 a batch of small images is cut into at least that many items, so
    /// that every worker gets samples of its own (``partition(_:workers:)``).
    public func workItems(batch: Int, scalarSize: Int, targetBytes: Int? = nil, workers: Int = 1) -> [WorkItem] {
        let OH = outputHeight, OW = outputWidth
        // Columns sized for the core's own cache (half a megabyte), where OpenBLAS's packing
        // reads them back, but never fewer than about 384 columns: a narrower GEMM wastes
        // its kernel. Measured at the demo's sizes: 8 MB items 0.17 s per step, 0.5 MB 0.13 s.
        let targetBytes = targetBytes ?? Swift.max(512 << 10, columnRows * scalarSize * 384)
        let bytesPerRow = max(1, columnRows * OW * scalarSize)
        let bytesPerImage = bytesPerRow * OH
        if bytesPerImage <= targetBytes {
            let largest = max(1, min(targetBytes / bytesPerImage, (batch + workers - 1) / max(1, workers)))
            // As many items as fit the target, rounded up to a multiple of the workers so that
            // each gets the same number of samples (60 samples in 24s left one worker 36).
            let itemCount = (batch + largest - 1) / largest
            let balancedCount = (itemCount + workers - 1) / max(1, workers) * max(1, workers)
            let perItem = max(1, (batch + balancedCount - 1) / max(1, balancedCount))
            return Swift.stride(from: 0, to: batch, by: perItem).map { start in
                let samples = start..<Swift.min(batch, start + perItem)
                return WorkItem(samples: samples, rows: 0..<OH, width: samples.count * OH * OW)
            }
        }
        let rowsPerBand = Swift.max(1, Swift.min(OH, targetBytes / bytesPerRow))
        var items: [WorkItem] = []
        for n in 0..<batch {
            for start in Swift.stride(from: 0, to: OH, by: rowsPerBand) {
                let rows = start..<Swift.min(OH, start + rowsPerBand)
                items.append(WorkItem(samples: n..<(n + 1), rows: rows, width: rows.count * OW))
            }
        }
        return items
    }

    /// Contiguous groups of `items`, at most `workers` of them, that never split one sample
    /// between two groups (the bands of a sample overlap where col2im adds into the image).
    public static func partition(_ items: [WorkItem], workers: Int) -> [Range<Int>] {
        guard workers > 1, items.count > 1 else { return items.isEmpty ? [] : [0..<items.count] }
        var groups: [Range<Int>] = []
        var start = 0
        for w in 1...workers {
            var end = w == workers ? items.count : max(start, items.count * w / workers)
            // Move the cut forward until it falls between two samples.
            while end > start && end < items.count && items[end].samples.lowerBound < items[end - 1].samples.upperBound { end += 1 }
            if end > start { groups.append(start..<end); start = end }
        }
        return groups
    }
}
