import ArgumentParser
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
    /// How conv2d computes the output and the gradients.
    var algorithm: ConvolutionAlgorithm
    /// The arithmetic of its im2col products.
    var precision: ComputePrecision
}

/// The command line; mirrors torch_conv_bench.py's arguments.
struct ConvBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv-bench",
        abstract: "Times Variable.conv2d (Float) forward, and forward+backward, as PyTorch's F.conv2d in torch_conv_bench.py.",
        discussion: """
            Times Variable.conv2d (Float) forward, and forward+backward (gradients for input, weight \
            and bias), as the median of R runs after one warm-up, and prints GFLOP/s (forward FLOPs = \
            2*N*O*OH*OW*C*KH*KW; forward+backward = 3x that). The arguments mirror \
            torch_conv_bench.py (PyTorch's F.conv2d) in this folder.

            One shape: conv-bench --in C --out O --kernel K --side H [--batch N] [--stride S] [--padding P]
            The paper's: conv-bench --paper [--batch N]
            """)

    @Option(help: ArgumentHelp("Batch size (default 8).", valueName: "N")) var batch: Int?
    @Option(name: .customLong("in"), help: ArgumentHelp("Input channels.", valueName: "C")) var inChannels: Int?
    @Option(name: .customLong("out"), help: ArgumentHelp("Output channels.", valueName: "O")) var outChannels: Int?
    @Option(help: ArgumentHelp("Square kernel side.", valueName: "K")) var kernel: Int?
    @Option(help: ArgumentHelp("Square input side.", valueName: "H")) var side: Int?
    @Option(help: ArgumentHelp("Stride (default 1).", valueName: "S")) var stride: Int?
    @Option(help: ArgumentHelp("Zero padding on every side (default K/2, 'same' for odd K at stride 1).", valueName: "P")) var padding: Int?
    @Option(help: ArgumentHelp("Timed runs per measurement (default 5).", valueName: "R")) var reps: Int?
    @Option(help: ArgumentHelp("Cores to use: the library's workers (default: FER_THREADS or all).", valueName: "T")) var threads: Int?
    @Option(help: ArgumentHelp("Label for the row (default \"custom\").", valueName: "NAME")) var name: String?
    @Option(help: ArgumentHelp("automatic (the library's rule, default), im2col, winograd or direct.", valueName: "A"))
    var algorithm = "automatic"
    @Option(help: ArgumentHelp("float32 or bf16: the im2col products' arithmetic (default: FER_PRECISION, else float32).", valueName: "P"))
    var precision: String?
    @Flag(help: "One JSON object per line instead of a table.") var json = false
    @Flag(help: "The classifier layers of the paper's Table II (side 112, batch 8).") var paper = false

    func validate() throws { _ = try options() }

    /// The shapes and settings to run. Throws `ValidationError` on anything wrong.
    func options() throws -> Options {
        let given: [(flag: String, value: Int?)] = [("--batch", batch), ("--in", inChannels), ("--out", outChannels), ("--kernel", kernel),
                                                    ("--side", side), ("--stride", stride), ("--padding", padding), ("--reps", reps),
                                                    ("--threads", threads)]
        for (flag, value) in given {
            if let value, !(-1_000_000...1_000_000).contains(value) {
                throw ValidationError("\(flag) \(value) is out of range (at most 1000000)")
            }
        }
        let reps = reps ?? 5
        guard reps >= 1 else { throw ValidationError("--reps must be at least 1, got \(reps)") }
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, got \(threads)")
        }
        let batch = batch ?? 8
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }

        var shapes: [ConvShape]
        if paper {
            let shapeFlags = given[1...6].filter { $0.value != nil }.map(\.flag)
            if !shapeFlags.isEmpty || name != nil {
                let named = shapeFlags + (name != nil ? ["--name"] : [])
                throw ValidationError("--paper takes no \(named.joined(separator: ", ")): the shapes are preset")
            }
            shapes = paperShapes.map { var shape = $0; shape.batch = batch; return shape }
        } else {
            guard let inChannels, let outChannels, let kernel, let side else {
                let missing = given[1...4].filter { $0.value == nil }.map(\.flag)
                throw ValidationError("missing \(missing.joined(separator: ", ")) (or use --paper)")
            }
            let shape = ConvShape(
                name: name ?? "custom", batch: batch, inChannels: inChannels, outChannels: outChannels,
                kernel: kernel, stride: stride ?? 1, padding: padding ?? kernel / 2, side: side)
            try validateShape(shape)
            shapes = [shape]
        }
        for shape in shapes { try checkMemory(shape) }
        guard let chosen = ConvolutionAlgorithm(rawValue: algorithm) else {
            throw ValidationError("--algorithm must be one of \(ConvolutionAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")), got '\(algorithm)'")
        }
        let arithmetic: ComputePrecision
        if let precision {
            guard let named = ComputePrecision(rawValue: precision) else {
                throw ValidationError("--precision must be one of \(ComputePrecision.names), got '\(precision)'")
            }
            arithmetic = named
        } else {
            do { arithmetic = try ComputePrecision.environmentValue() ?? .float32 } catch { throw ValidationError("\(error)") }
        }
        return Options(shapes: shapes, reps: reps, threads: threads, json: json, algorithm: chosen, precision: arithmetic)
    }
}

func validateShape(_ shape: ConvShape) throws {
    for (flag, value) in [("--in", shape.inChannels), ("--out", shape.outChannels), ("--kernel", shape.kernel),
                          ("--side", shape.side), ("--stride", shape.stride)] where value < 1 {
        throw ValidationError("\(flag) must be at least 1, got \(value)")
    }
    guard shape.padding >= 0 else { throw ValidationError("--padding must be at least 0, got \(shape.padding)") }
    guard shape.side + 2 * shape.padding >= shape.kernel else {
        throw ValidationError("kernel \(shape.kernel) does not fit the padded input \(shape.side)+2*\(shape.padding)")
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
        guard let part else { throw ValidationError("shape \(shape.summary) is too large") }
        let (sum, overflow) = elements.addingReportingOverflow(part)
        guard !overflow else { throw ValidationError("shape \(shape.summary) is too large") }
        elements = sum
    }
    let bytes = Double(elements) * Double(MemoryLayout<Float>.size)
    let available = Double(ProcessInfo.processInfo.physicalMemory)
    guard bytes < 0.8 * available else {
        throw ValidationError(String(
            format: "shape %@ needs about %.1f GiB, more than this machine's %.1f GiB allows",
            shape.summary, bytes / 1_073_741_824, available / 1_073_741_824))
    }
}
