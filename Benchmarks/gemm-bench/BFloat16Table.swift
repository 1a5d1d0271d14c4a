import BenchmarkSupport
import Foundation
import Tensors

/// `gemm-bench --bf16`: the bf16 GEMM of the mixed-precision option (``BFloat16GEMM``) beside
/// OpenBLAS's sgemm on the products a convolution makes, one thread each (the convolutions call
/// both from each worker, one sample or band at a time).
///
/// Per layer, the three products of one sample: forward W (O, C K K) x cols (C K K, OH OW);
/// the weight gradient dY (O, OH OW) x cols^T; the input gradient of stride 1, the flipped
/// weight (C, O K K) x the columns of dY (O K K, H W). Each bf16 result is checked on sampled
/// entries against Double sums of the bfloat16-rounded inputs, tolerance (k + 8) eps S.
struct BFloat16Table {
    struct Product {
        var layer: String, role: String
        var m: Int, n: Int, k: Int, transposeB: Bool
        var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    }

    /// The three products of a 'same' stride-1 convolution C -> O, K x K, at side x side.
    static func products(_ layer: String, _ c: Int, _ o: Int, _ kernel: Int, _ side: Int) -> [Product] {
        let plane = side * side, taps = kernel * kernel
        return [Product(layer: layer, role: "forward", m: o, n: plane, k: c * taps, transposeB: false),
                Product(layer: layer, role: "dW (B^T)", m: o, n: c * taps, k: plane, transposeB: true),
                Product(layer: layer, role: "dX", m: c, n: plane, k: o * taps, transposeB: false)]
    }

    /// The demo's layers that take im2col under the automatic rule or FER_CONVOLUTION=im2col
    /// (side 32, width 0.25), then the paper's (side 112, width 1).
    static let all: [Product] =
        products("demo 16->16 5x5 @32", 16, 16, 5, 32) + products("demo 32->64 3x3 @8", 32, 64, 3, 8)
        + products("Ori-Conv1-b 64->64 5x5 @112", 64, 64, 5, 112) + products("Conv2-a 64->128 3x3 @56", 64, 128, 3, 56)
        + products("Ori-Conv3-b 256->256 3x3 @28", 256, 256, 3, 28) + products("Conv4 256->512 3x3 @14", 256, 512, 3, 14)

    let reps: Int

    func run() -> Int32 {
        let savedThreads = BLAS.threadCount
        BLAS.threadCount = 1
        defer { BLAS.threadCount = savedThreads }
        print("gemm-bench --bf16: C = op(A) x op(B), one thread each; GFLOP/s = 2 M N K / median of \(reps) runs after a warm-up")
        print("OpenBLAS core \(BLAS.coreName) (sgemm, Float); bf16: inputs rounded to bfloat16, Float sums, "
              + (BFloat16GEMM.hasVectorKernel ? "vdpbf16ps (AVX512-BF16)" : "no AVX512-BF16 on this CPU: both bf16 columns run the portable kernel"))
        print("check: 64 sampled entries of each bf16 result against Double sums of the rounded inputs, within (K+8) eps S")
        print("")
        print(pad("layer", 30) + pad("product", 10) + lpad("M", 6) + lpad("N", 7) + lpad("K", 6) + lpad("sgemm", 9) + lpad("bf16", 9)
              + lpad("portable", 10) + lpad("bf16/sgemm", 12) + "  check")
        var failed = false
        for (index, p) in Self.all.enumerated() {
            var g = SeededGenerator(seed: UInt64(index) &+ 99)
            let aCount = p.m * p.k, bCount = p.k * p.n
            let a = (0..<aCount).map { _ in Float(g.nextUnitDouble() * 2 - 1) }, b = (0..<bCount).map { _ in Float(g.nextUnitDouble() * 2 - 1) }
            var c = [Float](repeating: 0, count: p.m * p.n)
            let ldb = p.transposeB ? p.k : p.n
            func time(_ body: (UnsafeMutablePointer<Float>) -> Void) -> Double {
                let seconds = c.withUnsafeMutableBufferPointer { cp in medianSeconds(reps: reps) { body(cp.baseAddress!) } }
                return p.flops / seconds / 1e9
            }
            let sgemm = time { cp in BLAS.gemm(transposeB: p.transposeB, m: p.m, n: p.n, k: p.k, a: a, lda: p.k, b: b, ldb: ldb, c: cp, ldc: p.n) }
            let bf16 = time { cp in
                BFloat16GEMM.gemm(transposeB: p.transposeB, m: p.m, n: p.n, k: p.k, a: a, lda: p.k, b: b, ldb: ldb, c: cp, ldc: p.n, kernel: .automatic)
            }
            let passed = check(p, a: a, b: b, ldb: ldb, result: c, seed: UInt64(index))
            let portable = time { cp in
                BFloat16GEMM.gemm(transposeB: p.transposeB, m: p.m, n: p.n, k: p.k, a: a, lda: p.k, b: b, ldb: ldb, c: cp, ldc: p.n, kernel: .portable)
            }
            let portablePassed = check(p, a: a, b: b, ldb: ldb, result: c, seed: UInt64(index))
            failed = failed || !passed || !portablePassed
            print(pad(p.layer, 30) + pad(p.role, 10) + lpad("\(p.m)", 6) + lpad("\(p.n)", 7) + lpad("\(p.k)", 6)
                  + lpad(format(sgemm, digits: 1), 9) + lpad(format(bf16, digits: 1), 9) + lpad(format(portable, digits: 1), 10)
                  + lpad(format(bf16 / sgemm) + "x", 12) + "  " + (passed && portablePassed ? "ok" : "FAIL"))
            fflush(nil)
        }
        return failed ? 1 : 0
    }

    /// Sampled entries of a bf16 result against Double sums of the rounded inputs.
    func check(_ p: Product, a: [Float], b: [Float], ldb: Int, result: [Float], seed: UInt64) -> Bool {
        var g = SeededGenerator(seed: seed &+ 7)
        for _ in 0..<64 {
            let i = Int(g.next() % UInt64(p.m)), j = Int(g.next() % UInt64(p.n))
            var sum = 0.0, magnitude = 0.0
            for q in 0..<p.k {
                let x = Double(BFloat16GEMM.rounded(a[i * p.k + q]))
                let y = Double(BFloat16GEMM.rounded(p.transposeB ? b[j * ldb + q] : b[q * ldb + j]))
                sum += x * y
                magnitude += abs(x * y)
            }
            if !(abs(Double(result[i * p.n + j]) - sum) <= Double(p.k + 8) * Double(Float.ulpOfOne) * magnitude) { return false }
        }
        return true
    }
}
