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
// The autoencoder (Table I) is built at SIDE with a LATENT code, as the peer's: ae_step_b64
// trains it on 64 images of SIDE x SIDE, and sna_step classifies its real semantic neighbours.
// Each step: one untimed warm-up, then the median of REPS (the upper one for even REPS,
// as the peer's sorted(ts)[len(ts) // 2]). Threads: OPENBLAS_NUM_THREADS.

// First thing: OpenBLAS must run its optimized kernels (this may restart the process).
OpenBLASCoreGuard.ensureOptimizedCore()

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("train-step-bench: \(message)\nusage: train-step-bench [SIDE=112] [BATCH=63] [WIDTH=1.0] [REPS=3] [LATENT=64]\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
func argument<T>(_ index: Int, _ fallback: T, _ parse: (String) -> T?) -> T {
    guard index < arguments.count else { return fallback }
    guard let value = parse(arguments[index]) else { fail("cannot read argument \(index + 1): \(arguments[index])") }
    return value
}
let side = argument(0, 112) { Int($0) }
let batch = argument(1, 63) { Int($0) }
let width = argument(2, 1.0) { Double($0) }
let reps = argument(3, 3) { Int($0) }
let latent = argument(4, 64) { Int($0) }
guard side >= 32, side % 16 == 0, batch >= 2, width > 0, reps >= 1, latent >= 1 else {
    fail("need SIDE >= 32 and a multiple of 16 (the autoencoder's), BATCH >= 2, WIDTH > 0, REPS >= 1, LATENT >= 1")
}

/// The median of `reps` timed calls after one warm-up (the peer's rule).
func medianSeconds(_ body: () throws -> Void) throws -> Double { try BenchmarkSupport.medianSeconds(reps: reps, body) }

/// The peak resident set (VmHWM) in MiB, from /proc/self/status.
func peakResidentMegabytes() -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return nil }
    return kilobytes / 1024
}

do {
    let steps = try TrainingSteps(side: side, batch: batch, width: width, latent: latent)
    let fer = try medianSeconds(steps.baseline)
    let sna = try medianSeconds(steps.neighborhoodAware)
    let ae = try medianSeconds(steps.autoencoderStep)
    let peak = peakResidentMegabytes().map { String(format: "%.1f", $0) } ?? "null"
    print("{\"fer_step\": \(fer), \"sna_step\": \(sna), \"ae_step_b64\": \(ae), \"side\": \(side), \"batch\": \(batch), "
          + "\"width\": \(width), \"latent\": \(latent), \"threads\": \(BLAS.threadCount), \"core\": \"\(BLAS.coreName)\", \"peak_rss_mb\": \(peak)}")
} catch {
    FileHandle.standardError.write(Data("train-step-bench: \(error)\n".utf8))
    exit(1)
}
