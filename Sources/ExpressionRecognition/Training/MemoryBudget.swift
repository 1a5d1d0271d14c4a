import Foundation
import NeuralNetworks

/// Upper bounds on sizes that a user can type, checked before anything is allocated, so a
/// mistyped `--side 100000` or a config.json from a bigger machine ends in an error that
/// says the bound instead of an abort on a failed allocation.
///
/// Two kinds of bound: fixed limits on each value (far above any sensible setting, and low
/// enough that the arithmetic below cannot overflow), and an estimate of the memory a
/// training step needs, held against 80% of this machine's physical memory.
///
/// The estimates are deliberately rough and on the high side. The classifier keeps about
/// 1,300 floats per sample for every `width * side^2` (activations of both branches,
/// their gradients and the im2col bands; fitted to the measured 3.99 GB peak of the paper's
/// step at side 112, width 1, batch 63), the autoencoder about 700 per `side^2`, and every
/// parameter is held three times (value, gradient, momentum or RMS state).
public enum MemoryBudget {
    public static let maximumSide = 2048
    public static let maximumWidth = 64.0
    public static let maximumBatchSize = 65_536
    public static let maximumEpochs = 1_000_000
    public static let maximumLatentSize = 1 << 20
    public static let maximumClassCount = 100_000

    /// The share of physical memory a run may plan to use.
    public static let usableShare = 0.8

    /// Bytes a run may plan to use on this machine.
    public static var usableBytes: Double { Double(ProcessInfo.processInfo.physicalMemory) * usableShare }

    /// Rough bytes of one classifier training step (parameters three times over plus activations).
    public static func classifierTrainingBytes(side: Int, width: Double, classCount: Int, batchSize: Int) -> Double {
        let s = Double(side), w = width
        // Conv weights of one branch scale with width^2 (5x5 stem, 3x3 body, 1x1 Conv5).
        let convWeights = w * w * (64 * 64 * 25 + 64 * 128 * 9 + 128 * 128 * 9 + 128 * 256 * 9 + 256 * 256 * 9 + 256 * 512 * 9 + 512 * 128)
        let fc = w * 128 * ((s / 16) * (s / 16) * 64 + (s / 32) * (s / 32) * 32)
        let parameters = 2 * convWeights + fc + 96 * Double(classCount) + 64 * Double(classCount)
        let activations = 1_300 * w * s * s * Double(batchSize)
        return 4 * (3 * parameters + activations)
    }

    /// Rough bytes of one autoencoder training step.
    public static func autoencoderTrainingBytes(side: Int, latentSize: Int, batchSize: Int) -> Double {
        let s = Double(side)
        let bottleneck = 80 * (s / 16) * (s / 16)
        let parameters = 2 * bottleneck * Double(latentSize) + 400_000
        let activations = 700 * s * s * Double(batchSize)
        return 4 * (3 * parameters + activations)
    }

    /// Throws when `value` exceeds `limit`, naming the setting and the bound.
    static func check(_ name: String, _ value: Double, atMost limit: Double, op: String) throws {
        guard value <= limit else {
            throw TensorError.invalidArgument(op: op, message: "\(name) must be at most \(formatted(limit)), got \(formatted(value))")
        }
    }

    /// Throws when `bytes` exceed what this machine can hold, saying both figures.
    static func checkFits(_ bytes: Double, what: String, advice: String, op: String) throws {
        guard bytes <= usableBytes else {
            throw TensorError.invalidArgument(
                op: op,
                message: "\(what) needs about \(gigabytes(bytes)) of memory; the bound is \(gigabytes(usableBytes)) (80% of this machine's \(gigabytes(Double(ProcessInfo.processInfo.physicalMemory)))); \(advice)")
        }
    }

    static func gigabytes(_ bytes: Double) -> String {
        bytes >= 1e15 ? String(format: "%.2g GB", bytes / 1e9) : String(format: "%.1f GB", bytes / 1e9)
    }

    static func formatted(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
