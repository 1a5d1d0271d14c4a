// parity-check: runs PyTorch fixture files (the schema of shared/parity/README.md) against
// the library and compares every out/ and grad/ tensor.
//
//   parity-check [--precision double|float|both] FILE.safetensors ...
//
// Exit status: 0 when every tensor of every file passes; 1 on any mismatch; 2 on a usage
// error; 3 when a file is malformed, names an unknown op, or lacks what its op needs.
import ArgumentParser
import Foundation
import ParityFixtures
import ProgramRuntime
import Tensors

func printError(_ message: String) { FileHandle.standardError.write(Data((message + "\n").utf8)) }

struct ParityCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity-check",
        abstract: "Runs PyTorch fixture files against the library and compares every out/ and grad/ tensor.",
        discussion: """
            Runs each fixture's op with the library and compares every out/ and grad/ tensor \
            (Double: |err| <= 1e-9 + 1e-7|ref|, Float: |err| <= 1e-4 + 1e-3|ref|).

            Exit status: 0 when every tensor of every file passes; 1 on any mismatch; 2 on a usage \
            error; 3 when a file is malformed, names an unknown op, or lacks what its op needs.
            """)

    enum Precision: String, ExpressibleByArgument, CaseIterable { case double, float, both }

    @Option(help: "The precisions to run each fixture in.") var precision = Precision.both
    @Argument(help: ArgumentHelp("Fixture files (the schema of shared/parity/README.md).", valueName: "FILE.safetensors"))
    var files: [String] = []

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("no fixture files given") }
    }
}

let options = ParityCheck.parsedCommandLine()
let precisions = options.precision == .both ? ["double", "float"] : [options.precision.rawValue]
let paths = options.files

// After the options, so a usage error never restarts the process.
OpenBLASCoreGuard.ensureOptimizedCore()

var failedTensors = 0, passedTensors = 0, brokenFiles = 0
for path in paths {
    do {
        let file = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: path))
        let op = try ParityRunner.op(of: file)
        for precision in precisions {
            let lines = precision == "double"
                ? try ParityRunner.run(file, as: Double.self)
                : try ParityRunner.run(file, as: Float.self)
            print("\(path) [\(op), \(precision)]")
            for line in lines {
                print("  \(line)")
                if line.passed { passedTensors += 1 } else { failedTensors += 1 }
            }
        }
    } catch {
        brokenFiles += 1
        printError("\(path): error: \(error)")
    }
}
print("\(passedTensors) passed, \(failedTensors) failed" + (brokenFiles > 0 ? ", \(brokenFiles) files could not be run" : ""))
exit(brokenFiles > 0 ? 3 : (failedTensors > 0 ? 1 : 0))
