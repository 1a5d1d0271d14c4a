// blas-check: does the GEMM facade keep its contract with the OpenBLAS kernels loaded here?
// Runs on the core OpenBLAS picks (or the one OPENBLAS_CORETYPE names) and never switches it,
// so it does not call the core guard; ProgramRuntime only parses its options.
import ArgumentParser
import Foundation
import ProgramRuntime
import Tensors

struct BLASCheck: ParsableCommand {
    // Computed: the help names the cores this CPU supports.
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "blas-check",
            abstract: "Checks the GEMM facade's contract on the OpenBLAS core this process loaded.",
            discussion: """
                Runs the GEMM facade's conformance cases (every transpose, padded leading dimensions, \
                alpha = 0 and beta = 0 with NaN inputs) in Float and Double on the OpenBLAS core this \
                process loaded. Set OPENBLAS_CORETYPE to check another core. Exit status 1 on a failure.
                Cores this CPU supports: \(BLAS.supportedCores().joined(separator: ", "))
                """)
    }

    @Flag(help: "One JSON object instead of the report.") var json = false
}

let options = BLASCheck.parsedCommandLine()
let report = BLASConformance.run()
if options.json {
    let failures = report.failures.prefix(20).map { JSONText.quoted($0.description) }
    print("{\"core\":\(JSONText.quoted(report.core)),\"cases\":\(report.casesRun),\"failureCount\":\(report.failures.count),\"failures\":[\(failures.joined(separator: ","))]}")
} else {
    print("OpenBLAS core \(report.core): \(report.casesRun) cases, \(report.failures.count) failed")
    for failure in report.failures.prefix(20) { print("  \(failure)") }
}
exit(report.passed ? 0 : 1)
