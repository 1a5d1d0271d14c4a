import Foundation
import Synchronization

/// A request to stop training at the next step boundary, made by SIGINT or SIGTERM (or by
/// code): the training loops then write a checkpoint of the exact position in the epoch
/// and throw ``TrainingInterrupted``, and the run continues from there with `--resume`.
/// Work before the first step (the instance-noise probe) stops at its next batch and throws
/// ``StoppedBeforeTraining``, having written nothing.
///
/// A second signal while a stop is pending ends the process at once (the default action).
public enum StopRequest {
    private static let pendingSignal = Atomic<Int32>(0)
    /// The notice the handler writes; allocated before the handler is installed, because a
    /// signal handler must not allocate.
    nonisolated(unsafe) private static var notice: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private static var noticeLength = 0

    /// Installs the SIGINT and SIGTERM handlers (once per process is enough).
    public static func installSignalHandlers() {
        _ = pendingSignal.load(ordering: .relaxed)  // initialise the global before any handler reads it
        let text = "\nstopping after the current step; a run under way writes a checkpoint first (signal again to quit at once)\n"
        notice = strdup(text)
        noticeLength = text.utf8.count
        // A parent may have started us with these signals blocked (the mask is inherited).
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { received in
                if StopRequest.pendingSignal.compareExchange(expected: 0, desired: received, ordering: .relaxed).exchanged {
                    if let notice = StopRequest.notice { _ = write(STDERR_FILENO, notice, StopRequest.noticeLength) }
                } else {
                    signal(received, SIG_DFL)
                    raise(received)
                }
            }
        }
    }

    /// The signal that asked to stop (SIGINT, SIGTERM), or nil when none did.
    public static var pending: Int32? {
        let value = pendingSignal.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// Asks the training loops to stop as a signal would (tests, embedding programs).
    public static func request(signal: Int32 = SIGINT) { pendingSignal.store(signal, ordering: .relaxed) }

    /// Clears a request.
    public static func clear() { pendingSignal.store(0, ordering: .relaxed) }
}

/// Thrown by a training loop that stopped on a ``StopRequest`` after writing its checkpoint.
public struct TrainingInterrupted: Error, CustomStringConvertible, Sendable {
    /// SIGINT or SIGTERM.
    public let signal: Int32
    /// The run folder; continue with `--resume` on it.
    public let folder: URL
    /// Epochs finished, and batches done of the epoch in progress.
    public let completedEpochs: Int
    public let stepsIntoEpoch: Int

    /// The exit status a shell expects after this signal: 128 + the signal number.
    public var exitStatus: Int32 { 128 + signal }

    public var description: String {
        let name = signalName(signal)
        let position = stepsIntoEpoch > 0 ? "\(completedEpochs) epochs and \(stepsIntoEpoch) steps" : "\(completedEpochs) epochs"
        return "stopped by \(name) after \(position); the checkpoint is \(folder.appendingPathComponent("checkpoints/last.safetensors").path)"
    }
}

/// Thrown when a ``StopRequest`` arrives before training started or, for a resumed run,
/// continued (during the instance-noise probe, say): no run folder was written or changed,
/// so the same command starts (or continues) the run again.
public struct StoppedBeforeTraining: Error, CustomStringConvertible, Sendable {
    /// SIGINT or SIGTERM.
    public let signal: Int32
    /// What was under way, for the message ("the instance-noise probe").
    public let stage: String

    public init(signal: Int32, stage: String) {
        self.signal = signal
        self.stage = stage
    }

    /// The exit status a shell expects after this signal: 128 + the signal number.
    public var exitStatus: Int32 { 128 + signal }

    public var description: String {
        return "stopped by \(signalName(signal)) during \(stage), before training started or continued; nothing was written or changed, so the same command starts (or continues) the run again"
    }
}

/// "SIGINT", "SIGTERM", or "signal N", for the stop messages.
private func signalName(_ signal: Int32) -> String {
    signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
}
