import Foundation

/// What one reader did in a round.
struct ReaderTally: Encodable {
    var reader: String
    var inputs = 0
    var accepted = 0
    var rejected = 0
    var hangs = 0
    var seconds = 0.0
    var slowestSeconds = 0.0
    var slowestInput = -1
    /// Rejections by the type of the thrown error (DatasetError, TensorError, ...).
    var rejectionsByErrorType: [String: Int] = [:]

    init(reader: String) { self.reader = reader }
}

/// An input that took longer than the hang limit.
struct Hang: Encodable {
    var reader: String
    var input: Int
    var seconds: Double
    var reproducer: String
}

/// The round's report: printed as a table, or as JSON with `--json`.
struct RoundSummary: Encodable {
    var seed: UInt64
    var inputsPerReader: Int
    var maxSeconds: Double?
    var hangSeconds: Double
    var readers: [ReaderTally]
    /// Always 0 in a printed summary: a crash ends the process before it can print one.
    var crashes = 0
    var hangs: [Hang] = []
    var totalInputs: Int { readers.reduce(0) { $0 + $1.inputs } }
    var seconds = 0.0
    var stoppedByTimeLimit = false
    var crashDirectory: String

    enum CodingKeys: String, CodingKey {
        case seed, inputsPerReader, maxSeconds, hangSeconds, readers, crashes, hangs, totalInputs, seconds, stoppedByTimeLimit, crashDirectory
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seed, forKey: .seed)
        try container.encode(inputsPerReader, forKey: .inputsPerReader)
        try container.encodeIfPresent(maxSeconds, forKey: .maxSeconds)
        try container.encode(hangSeconds, forKey: .hangSeconds)
        try container.encode(readers, forKey: .readers)
        try container.encode(crashes, forKey: .crashes)
        try container.encode(hangs, forKey: .hangs)
        try container.encode(totalInputs, forKey: .totalInputs)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(stoppedByTimeLimit, forKey: .stoppedByTimeLimit)
        try container.encode(crashDirectory, forKey: .crashDirectory)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A Markdown table, as Docs/Reliability.md records it.
    func table() -> String {
        var lines = [
            "| reader | inputs | rejected | accepted | crashes | hangs (> \(format(hangSeconds)) s) | seconds | slowest input (s) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for tally in readers {
            lines.append("| \(tally.reader) | \(tally.inputs) | \(tally.rejected) | \(tally.accepted) | 0 | \(tally.hangs) | "
                + "\(format(tally.seconds)) | \(String(format: "%.3f", tally.slowestSeconds)) (#\(tally.slowestInput)) |")
        }
        lines.append("| all | \(totalInputs) | \(readers.reduce(0) { $0 + $1.rejected }) | \(readers.reduce(0) { $0 + $1.accepted }) | "
            + "\(crashes) | \(hangs.count) | \(format(seconds)) | |")
        var text = lines.joined(separator: "\n")
        text += "\n\nseed \(seed), \(inputsPerReader) inputs per reader requested"
            + (maxSeconds.map { ", at most \(format($0)) s" } ?? "") + (stoppedByTimeLimit ? " (stopped by the time limit)" : "")
        for tally in readers {
            let kinds = tally.rejectionsByErrorType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            text += "\n  \(tally.reader): rejections by error type: \(kinds.isEmpty ? "none" : kinds)"
        }
        for hang in hangs {
            text += "\nHANG: \(hang.reader) input \(hang.input) took \(String(format: "%.2f", hang.seconds)) s; reproducer \(hang.reproducer)"
        }
        return text
    }

    private func format(_ seconds: Double) -> String { String(format: seconds < 10 ? "%.2f" : "%.1f", seconds) }
}
