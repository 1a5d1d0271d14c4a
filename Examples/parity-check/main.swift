// parity-check: runs PyTorch fixture files (the schema of shared/parity/README.md) against
// the library and compares every out/ and grad/ tensor.
//
//   parity-check [--precision double|float|both] FILE.safetensors ...
//
// Exit status: 0 when every tensor of every file passes; 1 on any mismatch; 2 on a usage
// error; 3 when a file is malformed, names an unknown op, or lacks what its op needs.
import Foundation
import Tensors
import ParityFixtures
import ProgramRuntime

func printError(_ message: String) { FileHandle.standardError.write(Data((message + "\n").utf8)) }

let usage = """
    usage: parity-check [--precision double|float|both] FILE.safetensors ...
      Runs each fixture's op with the library and compares every out/ and grad/ tensor
      (Double: |err| <= 1e-9 + 1e-7|ref|, Float: |err| <= 1e-4 + 1e-3|ref|).
    """

var precisions = ["double", "float"]
var paths: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "-h", "--help":
        print(usage)
        exit(0)
    case "--precision":
        guard let value = arguments.popFirst(), ["double", "float", "both"].contains(value) else {
            printError("parity-check: --precision takes double, float or both\n\(usage)")
            exit(2)
        }
        precisions = value == "both" ? ["double", "float"] : [value]
    default:
        if argument.hasPrefix("-") {
            printError("parity-check: unknown option \(argument)\n\(usage)")
            exit(2)
        }
        paths.append(argument)
    }
}
guard !paths.isEmpty else {
    printError("parity-check: no fixture files given\n\(usage)")
    exit(2)
}

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
