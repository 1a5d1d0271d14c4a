// blas-check: does the GEMM facade keep its contract with the OpenBLAS kernels loaded here?
// Runs on the core OpenBLAS picks (or the one OPENBLAS_CORETYPE names) and never switches it.
import Foundation
import Tensors

let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("--help") || arguments.contains("-h") {
    print("""
        usage: blas-check [--json]
        Runs the GEMM facade's conformance cases (every transpose, padded leading dimensions,
        alpha = 0 and beta = 0 with NaN inputs) in Float and Double on the OpenBLAS core this
        process loaded. Set OPENBLAS_CORETYPE to check another core. Exit status 1 on a failure.
        Cores this CPU supports: \(BLAS.supportedCores().joined(separator: ", "))
        """)
    exit(0)
}
if let unknown = arguments.first(where: { $0 != "--json" }) {
    FileHandle.standardError.write(Data("blas-check: unknown argument \(unknown); see --help\n".utf8))
    exit(2)
}

let report = BLASConformance.run()
if arguments.contains("--json") {
    let failures = report.failures.prefix(20).map { "\"" + $0.description.replacingOccurrences(of: "\"", with: "'") + "\"" }
    print("{\"core\":\"\(report.core)\",\"cases\":\(report.casesRun),\"failureCount\":\(report.failures.count),\"failures\":[\(failures.joined(separator: ","))]}")
} else {
    print("OpenBLAS core \(report.core): \(report.casesRun) cases, \(report.failures.count) failed")
    for failure in report.failures.prefix(20) { print("  \(failure)") }
}
exit(report.passed ? 0 : 1)
