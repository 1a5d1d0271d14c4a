import Foundation
import Tensors
import ProgramRuntime

// First thing: make sure OpenBLAS runs its optimized kernels (may re-execute this program).
OpenBLASCoreGuard.ensureOptimizedCore()

let options: Options
do {
    guard let parsed = try Options.parse(Array(CommandLine.arguments.dropFirst())) else {
        print(Options.usage)
        exit(0)
    }
    options = parsed
} catch {
    FileHandle.standardError.write(Data("gemm-bench: error: \(error)\nRun 'gemm-bench --help' for the options.\n".utf8))
    exit(2)
}

exit(Benchmark(options: options).run())
