import BenchmarkSupport
import ExpressionRecognition
import Foundation
import NeuralNetworks
import ProgramRuntime

// Times one training step of the paper's models, side by side with the PyTorch peer
// (../shared/peers/torch_step_bench.py): same positional arguments, same JSON keys.
//
//     train-step-bench [SIDE=112] [BATCH=63] [WIDTH=1.0] [REPS=3] [LATENT=64]
//
// What each step measures: Options.swift (also `train-step-bench --help`).

// First thing: OpenBLAS must run its optimized kernels (this may restart the process).
OpenBLASCoreGuard.ensureOptimizedCore()

let options = Options.parsedCommandLine()
let (side, batch, width, reps, latent) = (options.side, options.batch, options.width, options.reps, options.latent)

/// The peak resident set (VmHWM) in MiB, from /proc/self/status.
func peakResidentMegabytes() -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return nil }
    return kilobytes / 1024
}

do {
    // FER_PRECISION=bf16 runs the convolutions' im2col products in bf16 (ComputePrecision); a
    // value that names no precision stops here rather than timing Float silently.
    let precision = try ComputePrecision.environmentValue() ?? .float32
    let steps = try TrainingSteps(side: side, batch: batch, width: width, latent: latent)
    // Each: one warm-up, then the median of REPS (the peer's rule; BenchmarkSupport).
    let fer = try medianSeconds(reps: reps, steps.baseline)
    let sna = try medianSeconds(reps: reps, steps.neighborhoodAware)
    let ae = try medianSeconds(reps: reps, steps.autoencoderStep)
    let peak = peakResidentMegabytes().map { String(format: "%.1f", $0) } ?? "null"
    print("{\"fer_step\": \(fer), \"sna_step\": \(sna), \"ae_step_b64\": \(ae), \"side\": \(side), \"batch\": \(batch), "
          + "\"width\": \(width), \"latent\": \(latent), \"threads\": \(BLAS.threadCount), \"core\": \(JSONText.quoted(BLAS.coreName)), \"peak_rss_mb\": \(peak), "
          + "\"precision\": \(JSONText.quoted(precision.rawValue))}")
} catch {
    FileHandle.standardError.write(Data("train-step-bench: \(error)\n".utf8))
    exit(1)
}
