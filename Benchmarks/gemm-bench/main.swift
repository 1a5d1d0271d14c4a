import Foundation
import ProgramRuntime
import Tensors

// First thing: make sure OpenBLAS runs its optimized kernels (may re-execute this program).
OpenBLASCoreGuard.ensureOptimizedCore()

let options = Options.parsedCommandLine()
exit(options.bf16 ? BFloat16Table(reps: options.reps).run() : Benchmark(options: options).run())
