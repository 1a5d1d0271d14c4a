import Foundation
import Testing
import TestSupport

/// A short round of the `fuzz-readers` harness (Tools/fuzz-readers, Docs/Reliability.md):
/// every reader meets a few hundred mutated files in one process, and none may crash.
@Suite("fuzz-readers harness", .serialized)
struct FuzzHarnessTests {
    static let readers = ["safetensors", "png", "jpeg", "idx", "fer2013", "affectnet", "manifest", "ckplus", "folder"]

    /// Runs the harness (its output streams go to files: a long crash report cannot fill a pipe).
    func fuzz(_ arguments: [String], in folder: URL) throws -> ProgramResult {
        let url = try #require(BuiltProgram.url(named: "fuzz-readers"), "build the fuzz-readers product first (swift build --build-tests builds it)")
        return try BuiltProgram.run(url, arguments)
    }

    /// 400 inputs per reader, 3,600 in all: about 15 s in a debug build on 2 cores. The hang
    /// limit is raised to 10 s because a debug build is several times slower than the
    /// release build that long rounds (and their 2 s limit) use; the time limit only
    /// guards against a much slower machine, and every reader still gets its turns.
    @Test("a short seeded round: every reader tried, no crash, no hang, nothing left in the crash folder")
    func shortRound() throws {
        let root = try temporaryDirectory("fuzz-round")
        defer { try? FileManager.default.removeItem(at: root) }
        let crashes = root.appendingPathComponent("crashes")
        let result = try fuzz(["--seed", "1", "--inputs", "400", "--max-seconds", "90", "--hang-seconds", "10",
                               "--crash-dir", crashes.path, "--json"], in: root)
        #expect(result.status == 0, "fuzz-readers failed: \(result.errors.suffix(4_000))")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: crashes.path)) ?? []
        #expect(left.isEmpty, "reproducers left in the crash folder: \(left)")

        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
                                   "the summary is not a JSON object: \(result.output.prefix(2_000))")
        #expect(summary["crashes"] as? Int == 0)
        #expect((summary["hangs"] as? [Any])?.isEmpty == true)
        let tallies = try #require(summary["readers"] as? [[String: Any]])
        #expect(tallies.compactMap { $0["reader"] as? String } == Self.readers)
        for tally in tallies {
            let inputs = tally["inputs"] as? Int ?? 0
            #expect(inputs > 0, "reader \(tally["reader"] ?? "?") was not tried")
            #expect((tally["accepted"] as? Int ?? -1) + (tally["rejected"] as? Int ?? -1) == inputs)
        }
        #expect((summary["totalInputs"] as? Int ?? 0) >= 1_000, "a few thousand inputs expected, got \(summary["totalInputs"] ?? "?")")
    }

    @Test("a reproducer replays by its file name; bad options fail with usage")
    func replayAndUsage() throws {
        let root = try temporaryDirectory("fuzz-replay")
        defer { try? FileManager.default.removeItem(at: root) }
        let reproducer = root.appendingPathComponent("png--png--seed1--input0.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]).write(to: reproducer)
        let replay = try fuzz(["--replay", reproducer.path], in: root)
        #expect(replay.status == 0, "\(replay.errors)")
        #expect(replay.output.contains("png (png): rejected"), "\(replay.output)")

        let help = try fuzz(["--help"], in: root)
        #expect(help.status == 0 && help.output.contains("--crash-dir <DIR>"))
        let bad = try fuzz(["--readers", "gif"], in: root)
        #expect(bad.status == 2 && bad.errors.contains("unknown reader \"gif\""))
    }
}
