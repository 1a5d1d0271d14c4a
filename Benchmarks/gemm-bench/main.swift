import Foundation
import ProgramRuntime
import Tensors

// First thing: make sure OpenBLAS runs its optimized kernels (may re-execute this program).
OpenBLASCoreGuard.ensureOptimizedCore()

exit(Benchmark(options: Options.parsedCommandLine()).run())
