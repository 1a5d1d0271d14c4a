import Foundation
import ProgramRuntime
import Tensors

// First thing: OpenBLAS must run its optimized kernels (this may restart the process).
OpenBLASCoreGuard.ensureOptimizedCore()

let options: Options
do { options = try ConvBench.parsedCommandLine().options() } catch { fatalError("validated when parsed: \(error)") }

// --threads T is the number of cores to use, as torch.set_num_threads: the library's
// workers (OpenBLAS itself stays on one thread per call; see Parallel).
let workers = options.threads ?? Parallel.threadCount
if !options.json {
    print("conv2d Float, OpenBLAS core \(BLAS.coreName), \(workers) workers of 1 OpenBLAS thread, median of \(options.reps) after 1 warm-up, algorithm \(options.algorithm.rawValue), precision \(options.precision.rawValue)"
          + (options.precision == .bfloat16 ? (BFloat16GEMM.hasVectorKernel ? " (AVX512-BF16)" : " (portable kernel)") : ""))
    print(tableHeader())
}
for shape in options.shapes {
    do {
        let m = try Parallel.$workerOverride.withValue(workers) {
            try ComputePrecision.$override.withValue(options.precision) { try measure(shape, reps: options.reps, algorithm: options.algorithm) }
        }
        print(options.json ? jsonLine(m) : tableRow(m))
    } catch {
        FileHandle.standardError.write(Data("conv-bench: \(shape.name) \(shape.summary) failed: \(error)\n".utf8))
        exit(1)
    }
}
