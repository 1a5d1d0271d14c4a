/// Which frames of a labelled sequence (CK+, Oulu-CASIA) become samples. Sequences go
/// from neutral to the peak expression, so the last frames carry the label.
public enum SequenceFrameSelection: Sendable, Equatable {
    /// The last `count` frames (the paper's protocol: 3).
    case lastFrames(Int)
    /// The peak (last) frame and the `count` frames before it (the paper's sequence-consistency
    /// test, Table VII: train on the peak, test on the 4 before it). See ``SequenceConsistencySplit``.
    case peakAndPreceding(Int)

    /// The paper's training protocol: the last three frames.
    public static let paper = SequenceFrameSelection.lastFrames(3)

    /// How many frames a sequence must have.
    public var framesNeeded: Int {
        switch self {
        case .lastFrames(let count): return count
        case .peakAndPreceding(let count): return count + 1
        }
    }

    /// The chosen frames of `frames` (in time order), or nil when there are too few.
    func select<Frame>(_ frames: [Frame]) -> ArraySlice<Frame>? {
        guard framesNeeded > 0, frames.count >= framesNeeded else { return nil }
        return frames.suffix(framesNeeded)
    }

    func validate(operation: String) throws {
        switch self {
        case .lastFrames(let count) where count < 1:
            throw DatasetError.invalidArgument(operation: operation, message: "the number of last frames must be at least 1, got \(count)")
        case .peakAndPreceding(let count) where count < 0:
            throw DatasetError.invalidArgument(operation: operation, message: "the number of preceding frames must be at least 0, got \(count)")
        default:
            break
        }
    }
}
