import Foundation
import Tensors

/// One convolution to time: square input and kernel, as in the paper's Table II.
struct ConvShape: Sendable, Equatable {
    var name: String
    var batch: Int
    var inChannels: Int
    var outChannels: Int
    var kernel: Int
    var stride: Int
    var padding: Int
    var side: Int

    var outputSide: Int { (side + 2 * padding - kernel) / stride + 1 }

    /// 2 * N * O * OH * OW * C * KH * KW: one multiply and one add per weight per output.
    var forwardFLOPs: Double {
        2 * Double(batch) * Double(outChannels) * Double(outputSide) * Double(outputSide)
            * Double(inChannels) * Double(kernel) * Double(kernel)
    }

    /// Forward plus the two backward products (input and weight gradients): 3x forward.
    var forwardBackwardFLOPs: Double { 3 * forwardFLOPs }

    /// "64->64 5x5 s1 p2 @112 N8"
    var summary: String {
        "\(inChannels)->\(outChannels) \(kernel)x\(kernel) s\(stride) p\(padding) @\(side) N\(batch)"
    }
}

/// The classifier layers of the paper's Table II at side 112, batch 8, 'same' padding, stride 1.
let paperShapes: [ConvShape] = [
    ("Ori-Conv1-a", 1, 64, 5, 112),
    ("Ori-Conv1-b", 64, 64, 5, 112),
    ("Conv2-a", 64, 128, 3, 56),
    ("Conv2-b", 128, 128, 3, 56),
    ("Conv3-a", 128, 256, 3, 28),
    ("Ori-Conv3-b", 256, 256, 3, 28),
    ("Conv4", 256, 512, 3, 14),
    ("Conv5", 512, 128, 1, 7),
].map { name, c, o, k, side in
    ConvShape(name: name, batch: 8, inChannels: c, outChannels: o, kernel: k, stride: 1, padding: k / 2, side: side)
}

struct Options: Sendable {
    var shapes: [ConvShape]
    var reps: Int
    /// Cores to use (the library's workers); nil keeps the library's default.
    var threads: Int?
    var json: Bool
    /// How conv2d computes the output and the input gradient.
    var algorithm: ConvolutionAlgorithm = .automatic
}

struct UsageError: Error, CustomStringConvertible {
    var description: String
}

enum Command: Sendable {
    case run(Options)
    case help
}

let usage = """
    usage: conv-bench --batch N --in C --out O --kernel K --side H [--stride S] [--padding P]
                      [--reps R] [--threads T] [--name NAME] [--algorithm A] [--json]
           conv-bench --paper [--batch N] [--reps R] [--threads T] [--json]

    Times Variable.conv2d (Float) forward, and forward+backward (gradients for input,
    weight and bias), as the median of R runs after one warm-up, and prints GFLOP/s
    (forward FLOPs = 2*N*O*OH*OW*C*KH*KW; forward+backward = 3x that).
    The arguments mirror torch_conv_bench.py (PyTorch's F.conv2d) in this folder.

      --batch N      batch size (default 8)
      --in C         input channels
      --out O        output channels
      --kernel K     square kernel side
      --side H       square input side
      --stride S     stride (default 1)
      --padding P    zero padding on every side (default K/2, 'same' for odd K at stride 1)
      --reps R       timed runs per measurement (default 5)
      --threads T    cores to use: the library's workers (default: FER_THREADS or all)
      --name NAME    label for the row (default "custom")
      --algorithm A  automatic (the library's rule, default), im2col or winograd
      --json         one JSON object per line instead of a table
      --paper        the classifier layers of the paper's Table II (side 112, batch 8)
      --help         this text
    """

/// Parses the arguments (without the program name). Throws ``UsageError`` on anything wrong.
func parseArguments(_ arguments: [String]) throws -> Command {
    var values: [String: Int] = [:]
    var name: String?
    var algorithm = ConvolutionAlgorithm.automatic
    var json = false, paper = false
    let integerFlags: Set<String> = ["--batch", "--in", "--out", "--kernel", "--side", "--stride", "--padding",
                                     "--reps", "--threads"]

    var index = 0
    while index < arguments.count {
        var flag = arguments[index]
        var inlineValue: String?
        if flag.hasPrefix("--"), let equals = flag.firstIndex(of: "=") {
            inlineValue = String(flag[flag.index(after: equals)...])
            flag = String(flag[..<equals])
        }
        index += 1

        func value() throws -> String {
            if let inlineValue { return inlineValue }
            guard index < arguments.count else { throw UsageError(description: "\(flag) needs a value") }
            defer { index += 1 }
            return arguments[index]
        }

        switch flag {
        case "--help", "-h":
            return .help
        case "--json", "--paper":
            if inlineValue != nil { throw UsageError(description: "\(flag) takes no value") }
            if flag == "--json" { json = true } else { paper = true }
        case "--name":
            name = try value()
        case "--algorithm":
            let text = try value()
            guard let chosen = ConvolutionAlgorithm(rawValue: text) else {
                throw UsageError(description: "--algorithm must be one of \(ConvolutionAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            algorithm = chosen
        case _ where integerFlags.contains(flag):
            let text = try value()
            guard let number = Int(text) else {
                throw UsageError(description: "\(flag) needs an integer, got '\(text)'")
            }
            guard (-1_000_000...1_000_000).contains(number) else {
                throw UsageError(description: "\(flag) \(number) is out of range (at most 1000000)")
            }
            if values[flag] != nil { throw UsageError(description: "\(flag) given twice") }
            values[flag] = number
        default:
            throw UsageError(description: "unknown argument '\(flag)'")
        }
    }

    let reps = values["--reps"] ?? 5
    guard reps >= 1 else { throw UsageError(description: "--reps must be at least 1, got \(reps)") }
    if let threads = values["--threads"], threads < 1 {
        throw UsageError(description: "--threads must be at least 1, got \(threads)")
    }
    let batch = values["--batch"] ?? 8
    guard batch >= 1 else { throw UsageError(description: "--batch must be at least 1, got \(batch)") }

    var shapes: [ConvShape]
    if paper {
        let shapeFlags = ["--in", "--out", "--kernel", "--side", "--stride", "--padding"].filter { values[$0] != nil }
        if !shapeFlags.isEmpty || name != nil {
            let given = shapeFlags + (name != nil ? ["--name"] : [])
            throw UsageError(description: "--paper takes no \(given.joined(separator: ", ")): the shapes are preset")
        }
        shapes = paperShapes.map { var shape = $0; shape.batch = batch; return shape }
    } else {
        let missing = ["--in", "--out", "--kernel", "--side"].filter { values[$0] == nil }
        if !missing.isEmpty {
            throw UsageError(description: "missing \(missing.joined(separator: ", ")) (or use --paper)")
        }
        let kernel = values["--kernel"]!
        let shape = ConvShape(
            name: name ?? "custom", batch: batch, inChannels: values["--in"]!, outChannels: values["--out"]!,
            kernel: kernel, stride: values["--stride"] ?? 1, padding: values["--padding"] ?? kernel / 2,
            side: values["--side"]!)
        try validate(shape)
        shapes = [shape]
    }
    for shape in shapes { try checkMemory(shape) }
    return .run(Options(shapes: shapes, reps: reps, threads: values["--threads"], json: json, algorithm: algorithm))
}

func validate(_ shape: ConvShape) throws {
    for (flag, value) in [("--in", shape.inChannels), ("--out", shape.outChannels), ("--kernel", shape.kernel),
                          ("--side", shape.side), ("--stride", shape.stride)] where value < 1 {
        throw UsageError(description: "\(flag) must be at least 1, got \(value)")
    }
    guard shape.padding >= 0 else { throw UsageError(description: "--padding must be at least 0, got \(shape.padding)") }
    guard shape.side + 2 * shape.padding >= shape.kernel else {
        throw UsageError(description: "kernel \(shape.kernel) does not fit the padded input \(shape.side)+2*\(shape.padding)")
    }
}

/// Rejects shapes whose buffers cannot fit in this machine's memory (or overflow Int),
/// so that a typo becomes a message rather than a crash in an allocation.
func checkMemory(_ shape: ConvShape) throws {
    func product(_ factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }
    let (n, c, o, k, h, oh) = (shape.batch, shape.inChannels, shape.outChannels, shape.kernel, shape.side, shape.outputSide)
    // x and dx, w and dw, y and dy and the upstream seed, the column buffer, all Float.
    let parts = [product([2, n, c, h, h]), product([2, o, c, k, k]), product([3, n, o, oh, oh]), product([c, k, k, oh, oh])]
    var elements = 0
    for part in parts {
        guard let part else { throw UsageError(description: "shape \(shape.summary) is too large") }
        let (sum, overflow) = elements.addingReportingOverflow(part)
        guard !overflow else { throw UsageError(description: "shape \(shape.summary) is too large") }
        elements = sum
    }
    let bytes = Double(elements) * Double(MemoryLayout<Float>.size)
    let available = Double(ProcessInfo.processInfo.physicalMemory)
    guard bytes < 0.8 * available else {
        throw UsageError(description: String(
            format: "shape %@ needs about %.1f GiB, more than this machine's %.1f GiB allows",
            shape.summary, bytes / 1_073_741_824, available / 1_073_741_824))
    }
}
