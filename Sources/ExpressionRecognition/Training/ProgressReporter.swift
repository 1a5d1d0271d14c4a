import Foundation

/// Progress of a long command on standard error: a live bar on a terminal (epoch, step,
/// samples per second, running loss, share masked, time left), or one plain line per
/// epoch when standard error is not a terminal or `quiet` is set.
public final class ProgressReporter {
    public let quiet: Bool
    /// Prints nothing at all (the processes other than rank 0 of a data-parallel run).
    public let silent: Bool
    private let interactive: Bool
    private var lastDraw = Date.distantPast
    private var stepStart = Date()
    private var samplesThisEpoch = 0
    private var lossSum = 0.0, lossCount = 0
    private var maskedSum = 0.0, maskedCount = 0

    public init(quiet: Bool, silent: Bool = false) {
        self.quiet = quiet
        self.silent = silent
        interactive = !quiet && !silent && isatty(STDERR_FILENO) == 1
    }

    /// Prints a log line (always, also in quiet mode), clearing a live bar first.
    public func log(_ line: String) {
        guard !silent else { return }
        write((interactive ? "\r\u{1B}[2K" : "") + line + "\n")
    }

    public func startEpoch() {
        stepStart = Date()
        samplesThisEpoch = 0
        lossSum = 0; lossCount = 0; maskedSum = 0; maskedCount = 0
    }

    /// Records one step and redraws the bar at most ten times a second.
    public func step(label: String, epoch: Int, epochs: Int, step: Int, steps: Int, samples: Int, loss: Double, maskedShare: Double?) {
        samplesThisEpoch += samples
        if loss.isFinite { lossSum += loss; lossCount += 1 }
        if let maskedShare { maskedSum += maskedShare; maskedCount += 1 }
        guard interactive, Date().timeIntervalSince(lastDraw) > 0.1 || step == steps else { return }
        lastDraw = Date()
        let elapsed = Date().timeIntervalSince(stepStart)
        let rate = elapsed > 0 ? Double(samplesThisEpoch) / elapsed : 0
        let remainingSteps = Double(steps - step) + Double(epochs - epoch - 1) * Double(steps)
        let secondsLeft = step > 0 ? elapsed / Double(step) * remainingSteps : 0
        let width = 24, filled = steps > 0 ? width * step / steps : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var line = "\(label) epoch \(epoch + 1)/\(epochs) [\(bar)] \(step)/\(steps)  \(String(format: "%.0f", rate)) samples/s  loss \(String(format: "%.4f", runningLoss))"
        if maskedCount > 0 { line += "  masked \(String(format: "%.0f%%", 100 * maskedSum / Double(maskedCount)))" }
        line += "  left \(Self.duration(secondsLeft))"
        write("\r\u{1B}[2K" + line)
    }

    /// Mean loss of the steps so far in this epoch.
    public var runningLoss: Double { lossCount == 0 ? .nan : lossSum / Double(lossCount) }
    /// Samples per second so far in this epoch.
    public var samplesPerSecond: Double {
        let elapsed = Date().timeIntervalSince(stepStart)
        return elapsed > 0 ? Double(samplesThisEpoch) / elapsed : 0
    }

    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
