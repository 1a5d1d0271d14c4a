import Foundation
import NeuralNetworks

/// Thrown when a training step produced a non-finite loss or non-finite weights. Nothing of
/// that step was saved: the run folder's last checkpoint is the last good state.
public struct TrainingDiverged: Error, CustomStringConvertible, Sendable {
    /// What went wrong in the step (the loss, or the first non-finite tensor).
    public let cause: String
    /// 1-based epoch and step of the failing step.
    public let epoch: Int, step: Int
    /// Epochs the last checkpoint holds, or nil when none was written yet.
    public let checkpointEpochs: Int?
    public let folder: URL

    /// Wraps a step's error when it reports divergence; other errors pass through unchanged.
    static func wrapping(_ error: any Error, epoch: Int, step: Int, folder: RunFolder) -> any Error {
        let cause: String
        switch error {
        case TensorError.nonFiniteValues: cause = "\(error)"
        case let TensorError.invalidArgument(op, message) where message.contains("diverged"): cause = "\(op): \(message)"
        default: return error
        }
        let hasCheckpoint = FileManager.default.fileExists(atPath: folder.lastCheckpoint.path)
        return TrainingDiverged(cause: cause, epoch: epoch, step: step,
                                checkpointEpochs: hasCheckpoint ? RunFolder.recordedEpochs(at: folder.url) : nil, folder: folder.url)
    }

    public var description: String {
        let kept = checkpointEpochs.map { "the last good checkpoint (\($0) epoch\($0 == 1 ? "" : "s")) is kept in \(folder.appendingPathComponent("checkpoints").path)" }
            ?? "no checkpoint was written yet"
        return "training stopped at epoch \(epoch), step \(step): \(cause); \(kept); start again with a lower learning rate"
    }
}
