// A cache-blocked GEMM written in Swift, in the layered scheme of Goto and van de Geijn:
//
//   for jc in steps of NC over the columns of C            (B panel: KC x NC, fits L3)
//     for pc in steps of KC over the inner dimension
//       pack op(B)[pc..., jc...] into NR-wide column slivers
//       for ic in steps of MC over the rows of C           (A block: MC x KC, fits L2)
//         pack op(A)[ic..., pc...] into MR-tall row slivers
//         for each NR sliver of B (stays in L1), for each MR sliver of A:
//           micro-kernel: an MR x NR tile of C held in SIMD registers, KC rank-1 updates
//
// Packing makes every micro-kernel read contiguous, so the transposes are handled once,
// in the packing routines, and the kernel never sees a leading dimension except when it
// writes C. Tiles that overhang the edge of C are computed into a scratch tile (the packed
// slivers are zero-padded) and only the valid part is written back.
//
// The package is compiled for the baseline x86-64 target (SSE2: sixteen 128-bit
// registers, no FMA, no AVX), so the tiles are sized for that register file: 6 x 8 floats
// or 6 x 4 doubles, i.e. twelve 128-bit accumulators, two registers for the B row and two
// temporaries. SSE2 has no broadcast-from-memory instruction, so packing stores each
// element of A already broadcast across a 128-bit lane (4 copies of a float, 2 of a
// double): the kernel then loads A with a plain vector load instead of a load plus a
// shuffle per row, which measured about 15% faster than broadcasting in the kernel.

/// Cache-blocked, SIMD, single-threaded GEMM: C = alpha * op(A) * op(B) + beta * C.
///
/// Same row-major argument convention as
/// ``BLAS/gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` and
/// ``naiveGEMM(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``: op(A) is
/// m x k, op(B) is k x n, C is m x n, and each matrix has its own leading dimension. When
/// `beta` is zero, C is not read; when `alpha` or `k` is zero, A and B are not read.
/// Results differ from
/// ``naiveGEMM(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` only by
/// rounding: the inner dimension is summed in blocks of KC, each block in order.
///
/// `Float` and `Double` use SIMD micro-kernels; any other ``TensorScalar`` falls back to
/// ``naiveGEMM(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
package func blockedGEMM<Scalar: TensorScalar>(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Scalar = 1, a: UnsafePointer<Scalar>, lda: Int,
    b: UnsafePointer<Scalar>, ldb: Int,
    beta: Scalar = 0, c: UnsafeMutablePointer<Scalar>, ldc: Int
) {
    if Scalar.self == Float.self {
        BlockedGEMM<FloatTile6x8>.run(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            alpha: unsafeBitCast(alpha, to: Float.self),
            a: UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda: lda,
            b: UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb: ldb,
            beta: unsafeBitCast(beta, to: Float.self),
            c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc)
    } else if Scalar.self == Double.self {
        BlockedGEMM<DoubleTile6x4>.run(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
            alpha: unsafeBitCast(alpha, to: Double.self),
            a: UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), lda: lda,
            b: UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), ldb: ldb,
            beta: unsafeBitCast(beta, to: Double.self),
            c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc: ldc)
    } else {
        naiveGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                  alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

/// A register-blocked micro-kernel and the cache block sizes that feed it.
protocol GEMMMicroKernel {
    associatedtype Scalar: TensorScalar
    /// Rows of the register tile (height of a packed A sliver).
    static var mr: Int { get }
    /// Columns of the register tile (width of a packed B sliver).
    static var nr: Int { get }
    /// Inner-dimension block: an A sliver plus a B sliver (KC * (MR * aCopies + NR) scalars)
    /// stay in L1.
    static var kc: Int { get }
    /// Row block, a multiple of MR: the packed A block (MC x KC x aCopies) stays in L2.
    static var mc: Int { get }
    /// Column block, a multiple of NR: the packed B panel (KC x NC) stays in L3.
    static var nc: Int { get }
    /// How many times packing repeats each element of A, so the kernel can load a
    /// ready-made broadcast (one 128-bit register) instead of shuffling one in every step.
    static var aCopies: Int { get }

    /// tile = alpha * (A sliver) * (B sliver) + beta * tile, for a full MR x NR tile of C
    /// with row stride `ldc`. `a` holds KC groups of MR * aCopies scalars, `b` KC groups of NR.
    /// When `beta` is zero the tile is not read.
    static func multiply(
        kc: Int, a: UnsafePointer<Scalar>, b: UnsafePointer<Scalar>,
        alpha: Scalar, beta: Scalar, c: UnsafeMutablePointer<Scalar>, ldc: Int)
}

/// The blocking loops and packing, generic over the micro-kernel.
enum BlockedGEMM<Kernel: GEMMMicroKernel> {
    typealias Scalar = Kernel.Scalar

    static func run(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Scalar, a: UnsafePointer<Scalar>, lda: Int,
        b: UnsafePointer<Scalar>, ldb: Int,
        beta: Scalar, c: UnsafeMutablePointer<Scalar>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "blockedGEMM: negative dimension")
        precondition(lda >= (transposeA ? m : k) && ldb >= (transposeB ? k : n) && ldc >= n,
                     "blockedGEMM: leading dimension shorter than a row")
        guard m > 0, n > 0 else { return }
        if k == 0 || alpha == 0 {
            BLAS.scale(c, rows: m, columns: n, ld: ldc, by: beta)
            return
        }
        let mr = Kernel.mr, nr = Kernel.nr
        // Buffers sized for this problem, so small products do not pay for full blocks.
        let kcMax = min(Kernel.kc, k)
        let mcMax = min(Kernel.mc, roundUp(m, to: mr))
        let ncMax = min(Kernel.nc, roundUp(n, to: nr))
        let stride = MemoryLayout<Scalar>.stride
        let packedA = UnsafeMutableRawPointer.allocate(byteCount: mcMax * kcMax * Kernel.aCopies * stride, alignment: 64)
            .bindMemory(to: Scalar.self, capacity: mcMax * kcMax * Kernel.aCopies)
        let packedB = UnsafeMutableRawPointer.allocate(byteCount: kcMax * ncMax * stride, alignment: 64)
            .bindMemory(to: Scalar.self, capacity: kcMax * ncMax)
        let edge = UnsafeMutableRawPointer.allocate(byteCount: mr * nr * stride, alignment: 64)
            .bindMemory(to: Scalar.self, capacity: mr * nr)
        defer {
            packedA.deallocate()
            packedB.deallocate()
            edge.deallocate()
        }

        for jc in Swift.stride(from: 0, to: n, by: ncMax) {
            let nc = min(ncMax, n - jc)
            for pc in Swift.stride(from: 0, to: k, by: kcMax) {
                let kc = min(kcMax, k - pc)
                packB(transposed: transposeB, b: b, ldb: ldb, row: pc, column: jc, kc: kc, nc: nc, into: packedB)
                // The first KC block applies beta; later blocks accumulate onto it.
                let blockBeta: Scalar = pc == 0 ? beta : 1
                for ic in Swift.stride(from: 0, to: m, by: mcMax) {
                    let mc = min(mcMax, m - ic)
                    packA(transposed: transposeA, a: a, lda: lda, row: ic, column: pc, mc: mc, kc: kc, into: packedA)
                    for jr in Swift.stride(from: 0, to: nc, by: nr) {
                        let columns = min(nr, nc - jr)
                        let bSliver = UnsafePointer(packedB + jr * kc)
                        for ir in Swift.stride(from: 0, to: mc, by: mr) {
                            let rows = min(mr, mc - ir)
                            let aSliver = UnsafePointer(packedA + ir * kc * Kernel.aCopies)
                            let tile = c + (ic + ir) * ldc + (jc + jr)
                            if rows == mr && columns == nr {
                                Kernel.multiply(kc: kc, a: aSliver, b: bSliver, alpha: alpha, beta: blockBeta, c: tile, ldc: ldc)
                            } else {
                                Kernel.multiply(kc: kc, a: aSliver, b: bSliver, alpha: alpha, beta: 0, c: edge, ldc: nr)
                                for r in 0..<rows {
                                    let source = edge + r * nr, target = tile + r * ldc
                                    if blockBeta == 0 {
                                        for j in 0..<columns { target[j] = source[j] }
                                    } else {
                                        for j in 0..<columns { target[j] = source[j] + blockBeta * target[j] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Packs rows [row, row + mc) and columns [column, column + kc) of op(A) into MR-tall
    /// slivers, each element repeated q = aCopies times: sliver s, element (r, p) fills
    /// `s * MR * q * kc + p * MR * q + r * q + (0..<q)`. Rows past the edge are zero.
    @inline(__always)
    static func packA(transposed: Bool, a: UnsafePointer<Scalar>, lda: Int, row: Int, column: Int,
                      mc: Int, kc: Int, into packed: UnsafeMutablePointer<Scalar>) {
        let mr = Kernel.mr, q = Kernel.aCopies, w = mr * q
        for ir in Swift.stride(from: 0, to: mc, by: mr) {
            let rows = min(mr, mc - ir)
            let sliver = packed + ir * kc * q
            if transposed {
                // op(A)[i][p] = a[p * lda + i]: each p gives MR contiguous scalars.
                var source = a + column * lda + (row + ir)
                for p in 0..<kc {
                    let target = sliver + p * w
                    for r in 0..<rows { let v = source[r]; for t in 0..<q { target[r * q + t] = v } }
                    for r in rows..<mr { for t in 0..<q { target[r * q + t] = 0 } }
                    source += lda
                }
            } else {
                // op(A)[i][p] = a[i * lda + p]: read each row contiguously, write with stride MR * q.
                for r in 0..<rows {
                    let source = a + (row + ir + r) * lda + column
                    for p in 0..<kc { let v = source[p]; for t in 0..<q { sliver[p * w + r * q + t] = v } }
                }
                for r in rows..<mr {
                    for p in 0..<kc { for t in 0..<q { sliver[p * w + r * q + t] = 0 } }
                }
            }
        }
    }

    /// Packs rows [row, row + kc) and columns [column, column + nc) of op(B) into NR-wide
    /// slivers: sliver s, element (p, j) lands at `s * NR * kc + p * NR + j`. Columns past
    /// the edge are zero.
    @inline(__always)
    static func packB(transposed: Bool, b: UnsafePointer<Scalar>, ldb: Int, row: Int, column: Int,
                      kc: Int, nc: Int, into packed: UnsafeMutablePointer<Scalar>) {
        let nr = Kernel.nr
        for jr in Swift.stride(from: 0, to: nc, by: nr) {
            let columns = min(nr, nc - jr)
            let sliver = packed + jr * kc
            if transposed {
                // op(B)[p][j] = b[j * ldb + p]: read each column of op(B) contiguously.
                for j in 0..<columns {
                    let source = b + (column + jr + j) * ldb + row
                    for p in 0..<kc { sliver[p * nr + j] = source[p] }
                }
                for j in columns..<nr {
                    for p in 0..<kc { sliver[p * nr + j] = 0 }
                }
            } else {
                // op(B)[p][j] = b[p * ldb + j]: each p gives NR contiguous scalars.
                var source = b + row * ldb + (column + jr)
                for p in 0..<kc {
                    let target = sliver + p * nr
                    if columns == nr {
                        target.update(from: source, count: nr)
                    } else {
                        for j in 0..<columns { target[j] = source[j] }
                        for j in columns..<nr { target[j] = 0 }
                    }
                    source += ldb
                }
            }
        }
    }

    @inline(__always)
    static func roundUp(_ value: Int, to multiple: Int) -> Int { (value + multiple - 1) / multiple * multiple }
}

/// Writes one row of a tile: alpha * accumulator (+ beta * old row when beta is not zero).
@inline(__always)
private func storeRow<V: SIMD>(_ accumulator: V, alpha: V.Scalar, beta: V.Scalar, to row: UnsafeMutableRawPointer)
where V.Scalar: BinaryFloatingPoint {
    if beta == 0 {
        row.storeBytes(of: alpha * accumulator, as: V.self)
    } else {
        row.storeBytes(of: alpha * accumulator + beta * row.loadUnaligned(as: V.self), as: V.self)
    }
}

/// 6 x 8 `Float` tile: twelve SIMD4 accumulators, two per row of the tile.
///
/// Block sizes (measured on the target machine among KC 128...512, MC 60...240, NC 512...4096;
/// most choices near these were within noise): per call the A sliver is
/// 256 * 6 * 4 copies * 4 B = 24 KiB and the B sliver 256 * 8 * 4 B = 8 KiB (L1 is 48 KiB);
/// the packed A block is 120 * 256 * 16 B = 480 KiB (L2 is 1 MiB); the B panel is at most
/// 256 * 4096 * 4 B = 4 MiB (L3).
enum FloatTile6x8: GEMMMicroKernel {
    typealias Scalar = Float
    static var mr: Int { 6 }
    static var nr: Int { 8 }
    static var kc: Int { 256 }
    static var mc: Int { 120 }
    static var nc: Int { 4096 }
    static var aCopies: Int { 4 }

    @inline(__always)
    static func multiply(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        typealias V = SIMD4<Float>
        // Row r of the tile: columns 0..<4 in c<r>, columns 4..<8 in d<r>.
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
        var d0 = V(), d1 = V(), d2 = V(), d3 = V(), d4 = V(), d5 = V()
        var pa = UnsafeRawPointer(a)
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = pb.loadUnaligned(as: V.self)
            let b1 = pb.loadUnaligned(fromByteOffset: 16, as: V.self)
            var x = pa.loadUnaligned(as: V.self)
            c0 += x * b0; d0 += x * b1
            x = pa.loadUnaligned(fromByteOffset: 16, as: V.self)
            c1 += x * b0; d1 += x * b1
            x = pa.loadUnaligned(fromByteOffset: 32, as: V.self)
            c2 += x * b0; d2 += x * b1
            x = pa.loadUnaligned(fromByteOffset: 48, as: V.self)
            c3 += x * b0; d3 += x * b1
            x = pa.loadUnaligned(fromByteOffset: 64, as: V.self)
            c4 += x * b0; d4 += x * b1
            x = pa.loadUnaligned(fromByteOffset: 80, as: V.self)
            c5 += x * b0; d5 += x * b1
            pa += 96
            pb += 32
        }
        let out = UnsafeMutableRawPointer(c), step = ldc * MemoryLayout<Float>.stride
        storeRow(SIMD8(lowHalf: c0, highHalf: d0), alpha: alpha, beta: beta, to: out)
        storeRow(SIMD8(lowHalf: c1, highHalf: d1), alpha: alpha, beta: beta, to: out + step)
        storeRow(SIMD8(lowHalf: c2, highHalf: d2), alpha: alpha, beta: beta, to: out + 2 * step)
        storeRow(SIMD8(lowHalf: c3, highHalf: d3), alpha: alpha, beta: beta, to: out + 3 * step)
        storeRow(SIMD8(lowHalf: c4, highHalf: d4), alpha: alpha, beta: beta, to: out + 4 * step)
        storeRow(SIMD8(lowHalf: c5, highHalf: d5), alpha: alpha, beta: beta, to: out + 5 * step)
    }
}

/// 6 x 4 `Double` tile: twelve SIMD2 accumulators, two per row of the tile.
///
/// A sliver 256 * 6 * 2 copies * 8 B = 24 KiB, B sliver 256 * 4 * 8 B = 8 KiB (L1);
/// A block 120 * 256 * 16 B = 480 KiB (L2); B panel 256 * 2048 * 8 B = 4 MiB (L3).
enum DoubleTile6x4: GEMMMicroKernel {
    typealias Scalar = Double
    static var mr: Int { 6 }
    static var nr: Int { 4 }
    static var kc: Int { 256 }
    static var mc: Int { 120 }
    static var nc: Int { 2048 }
    static var aCopies: Int { 2 }

    @inline(__always)
    static func multiply(kc: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>,
                         alpha: Double, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        typealias V = SIMD2<Double>
        // Row r of the tile: columns 0..<2 in c<r>, columns 2..<4 in d<r>.
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
        var d0 = V(), d1 = V(), d2 = V(), d3 = V(), d4 = V(), d5 = V()
        var pa = UnsafeRawPointer(a)
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = pb.loadUnaligned(as: V.self)
            let b1 = pb.loadUnaligned(fromByteOffset: 16, as: V.self)
            var x = pa.loadUnaligned(as: V.self)
            c0 += x * b0; d0 += x * b1
            x = pa.loadUnaligned(fromByteOffset: 16, as: V.self)
            c1 += x * b0; d1 += x * b1
            x = pa.loadUnaligned(fromByteOffset: 32, as: V.self)
            c2 += x * b0; d2 += x * b1
            x = pa.loadUnaligned(fromByteOffset: 48, as: V.self)
            c3 += x * b0; d3 += x * b1
            x = pa.loadUnaligned(fromByteOffset: 64, as: V.self)
            c4 += x * b0; d4 += x * b1
            x = pa.loadUnaligned(fromByteOffset: 80, as: V.self)
            c5 += x * b0; d5 += x * b1
            pa += 96
            pb += 32
        }
        let out = UnsafeMutableRawPointer(c), step = ldc * MemoryLayout<Double>.stride
        storeRow(SIMD4(lowHalf: c0, highHalf: d0), alpha: alpha, beta: beta, to: out)
        storeRow(SIMD4(lowHalf: c1, highHalf: d1), alpha: alpha, beta: beta, to: out + step)
        storeRow(SIMD4(lowHalf: c2, highHalf: d2), alpha: alpha, beta: beta, to: out + 2 * step)
        storeRow(SIMD4(lowHalf: c3, highHalf: d3), alpha: alpha, beta: beta, to: out + 3 * step)
        storeRow(SIMD4(lowHalf: c4, highHalf: d4), alpha: alpha, beta: beta, to: out + 4 * step)
        storeRow(SIMD4(lowHalf: c5, highHalf: d5), alpha: alpha, beta: beta, to: out + 5 * step)
    }
}
