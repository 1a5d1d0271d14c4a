import BenchmarkSupport
import Foundation
import Tensors

/// Timings of one shape, in seconds (medians).
struct Measurement: Sendable {
    var shape: ConvShape
    var forwardSeconds: Double
    var forwardBackwardSeconds: Double
    var threads: Int
    var core: String

    var forwardGFLOPs: Double { shape.forwardFLOPs / forwardSeconds / 1e9 }
    var forwardBackwardGFLOPs: Double { shape.forwardBackwardFLOPs / forwardBackwardSeconds / 1e9 }
}


/// Times `Variable.conv2d` forward alone (no tape), then forward + backward with gradients
/// for input, weight and bias.
func measure(_ shape: ConvShape, reps: Int, algorithm: ConvolutionAlgorithm) throws -> Measurement {
    var generator = SeededGenerator(seed: 2024)
    let (n, c, o, k, h, oh) = (shape.batch, shape.inChannels, shape.outChannels, shape.kernel, shape.side, shape.outputSide)
    let xValue = Tensor<Float>(randomNormal: [n, c, h, h], using: &generator)
    // Kaiming-like scale keeps the values in a normal range (no denormals, no overflow).
    let scale = Float(1 / Double(c * k * k).squareRoot())
    let wValue = Tensor<Float>(randomNormal: [o, c, k, k], standardDeviation: scale, using: &generator)
    let bValue = Tensor<Float>(randomNormal: [o], standardDeviation: 0.1, using: &generator)
    let upstream = Tensor<Float>(randomNormal: [n, o, oh, oh], using: &generator)

    // Forward only: constants, so no pullback is recorded (PyTorch: torch.no_grad()).
    let xConstant = Variable(xValue), wConstant = Variable(wValue), bConstant = Variable(bValue)
    // As a Conv2D layer does: one workspace reused across calls.
    let workspace = ConvolutionWorkspace<Float>()
    var sink: Float = 0
    let forward = try medianSeconds(reps: reps) {
        let y = try xConstant.conv2d(weight: wConstant, bias: bConstant, stride: shape.stride, padding: shape.padding, workspace: workspace, algorithm: algorithm)
        sink += y.value.scalars[0]
    }

    let x = Variable(xValue, requiresGradient: true)
    let w = Variable(wValue, requiresGradient: true)
    let b = Variable(bValue, requiresGradient: true)
    let forwardBackward = try medianSeconds(reps: reps) {
        x.zeroGradient(); w.zeroGradient(); b.zeroGradient()
        let y = try x.conv2d(weight: w, bias: b, stride: shape.stride, padding: shape.padding, workspace: workspace, algorithm: algorithm)
        try y.backward(upstream: upstream)
        sink += (x.grad?.scalars[0] ?? 0) + (w.grad?.scalars[0] ?? 0) + (b.grad?.scalars[0] ?? 0)
    }
    if !sink.isFinite {
        FileHandle.standardError.write(Data("warning: \(shape.name) produced a non-finite value\n".utf8))
    }
    return Measurement(shape: shape, forwardSeconds: forward, forwardBackwardSeconds: forwardBackward,
                       threads: Parallel.workers(forWork: .max), core: BLAS.coreName)
}

/// One JSON object on one line, keys as in torch_conv_bench.py.
func jsonLine(_ m: Measurement) -> String {
    func number(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : "null" }
    let s = m.shape
    let fields: [(String, String)] = [
        ("name", JSONText.quoted(s.name)), ("batch", "\(s.batch)"), ("in", "\(s.inChannels)"), ("out", "\(s.outChannels)"),
        ("kernel", "\(s.kernel)"), ("stride", "\(s.stride)"), ("padding", "\(s.padding)"), ("side", "\(s.side)"),
        ("forward_s", number(m.forwardSeconds)), ("forward_backward_s", number(m.forwardBackwardSeconds)),
        ("forward_gflops", number(m.forwardGFLOPs)), ("forward_backward_gflops", number(m.forwardBackwardGFLOPs)),
        ("threads", "\(m.threads)"), ("core", JSONText.quoted(m.core)),
    ]
    return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
}

func padded(_ text: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return right ? fill + text : text + fill
}

func tableHeader() -> String {
    padded("name", 12) + " " + padded("shape", 30)
        + ["fwd s", "fwd GF/s", "f+b s", "f+b GF/s"].map { " " + padded($0, 10, right: true) }.joined()
}

func tableRow(_ m: Measurement) -> String {
    padded(m.shape.name, 12) + " " + padded(m.shape.summary, 30)
        + String(format: " %10.5f %10.1f %10.5f %10.1f",
                 m.forwardSeconds, m.forwardGFLOPs, m.forwardBackwardSeconds, m.forwardBackwardGFLOPs)
}
