import Foundation
import Testing
import TestSupport
@testable import ExpressionRecognition
import NeuralNetworks

/// The data defects of issue 8 seen from the command line: classes matched by name between
/// a run and its test data, bad samples skipped and reported, manifest paths confined,
/// decode errors without file content, limits and empty parts refused.
@Suite("fer data reliability", .serialized)
struct FERDataReliabilityTests {
    func fer(_ arguments: [String]) throws -> ProgramResult {
        try BuiltProgram.run(try #require(BuiltProgram.url(named: "fer"), "build the fer product first (swift build --build-tests builds it)"), arguments)
    }

    func writeDataset(in root: URL, classes: [String] = ["alpha", "beta", "gamma", "delta"], perClass: Int = 4) throws {
        try writeCornerDataset(in: root, classes: classes, perClass: perClass)
    }

    let model = ["--side", "32", "--width", "0.125", "--epochs", "1", "--batch-size", "8", "--quiet"]

    /// The confusion counts and class names of a run's evaluation.json.
    func evaluation(in run: URL) throws -> (classNames: [String], confusion: [[Int]]) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("evaluation.json"))) as? [String: Any])
        return (object["classNames"] as? [String] ?? [], object["confusion"] as? [[Int]] ?? [])
    }

    @Test("train and evaluate on a test folder with fewer classes: each image is scored as its own class, by name")
    func testFolderWithFewerClasses() throws {
        let root = try temporaryDirectory("fer-classes")
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train"), gammaOnly = root.appendingPathComponent("gamma-only")
        try writeDataset(in: train)
        try writeDataset(in: gammaOnly, classes: ["gamma"], perClass: 5)
        let run = root.appendingPathComponent("run")
        let trained = try fer(["train", "--run", run.path, "--data", "folder:\(train.path):\(gammaOnly.path)"] + model)
        #expect(trained.status == 0, "\(trained.errors)")
        var report = try evaluation(in: run)
        #expect(report.classNames == ["alpha", "beta", "delta", "gamma"])
        #expect(report.confusion.count == 4 && report.confusion[3].reduce(0, +) == 5, "\(report.confusion)")

        let evaluated = try fer(["evaluate", "--run", run.path, "--data", "folder:\(train.path):\(gammaOnly.path)"])
        #expect(evaluated.status == 0, "\(evaluated.errors)")
        report = try evaluation(in: run)
        #expect(report.classNames == ["alpha", "beta", "delta", "gamma"])
        #expect(report.confusion.count == 4 && report.confusion[3].reduce(0, +) == 5, "\(report.confusion)")
        #expect(report.confusion.enumerated().allSatisfy { $0.offset == 3 || $0.element.reduce(0, +) == 0 })

        // A run without classes.json falls back to the training data's order and says so.
        try FileManager.default.moveItem(at: run.appendingPathComponent("classes.json"), to: root.appendingPathComponent("classes.json"))
        let fallback = try fer(["evaluate", "--run", run.path, "--data", "folder:\(train.path):\(gammaOnly.path)"])
        #expect(fallback.status == 0, "\(fallback.errors)")
        #expect(fallback.errors.contains("classes.json is missing"), "\(fallback.errors)")
        #expect(try evaluation(in: run).confusion[3].reduce(0, +) == 5)
        try FileManager.default.moveItem(at: root.appendingPathComponent("classes.json"), to: run.appendingPathComponent("classes.json"))

        // A class the run does not know is an error that names it.
        let strange = root.appendingPathComponent("strange")
        try writeDataset(in: strange, classes: ["gamma", "epsilon"], perClass: 2)
        let unknown = try fer(["evaluate", "--run", run.path, "--data", "folder:\(train.path):\(strange.path)"])
        #expect(unknown.status != 0)
        #expect(unknown.errors.contains("epsilon") && unknown.errors.contains(strange.path), "\(unknown.errors)")
    }

    @Test("--skip-bad-samples skips an image that fails to decode during training and reports it")
    func skipBadImageDuringTraining() throws {
        let root = try temporaryDirectory("fer-skip")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeDataset(in: data)
        let secret = "root:x:0:0:root:/root:/bin/bash\n"
        try Data(secret.utf8).write(to: data.appendingPathComponent("beta/broken.png"))
        let spec = ["--data", "folder:\(data.path):\(data.path)"]
        let strict = try fer(["train", "--run", root.appendingPathComponent("strict").path] + spec + model)
        #expect(strict.status != 0)
        #expect(strict.errors.contains("broken.png") && strict.errors.contains("not a PNG or JPEG file"), "\(strict.errors)")
        #expect(!strict.errors.contains("root:x") && !strict.errors.contains("72 6f 6f 74"), "\(strict.errors)")

        let skipping = try fer(["train", "--run", root.appendingPathComponent("skipping").path, "--skip-bad-samples"] + spec + model)
        #expect(skipping.status == 0, "\(skipping.errors)")
        #expect(skipping.errors.contains("skipped") && skipping.errors.contains("broken.png"), "\(skipping.errors)")
    }

    @Test("a manifest row that leaves the manifest's folder is an error naming line and path")
    func manifestEscape() throws {
        let root = try temporaryDirectory("fer-manifest")
        defer { try? FileManager.default.removeItem(at: root) }
        let set = root.appendingPathComponent("set")
        try writeDataset(in: set, classes: ["alpha", "beta"], perClass: 3)
        try writeDataset(in: root.appendingPathComponent("elsewhere"), classes: ["beta"], perClass: 1)
        var rows = ["path,label"]
        for name in ["alpha", "beta"] { for i in 0..<3 { rows.append("\(name)/\(i).png,\(name)") } }
        rows.append("../elsewhere/beta/0.png,beta")
        let manifest = set.appendingPathComponent("all.csv")
        try Data(rows.joined(separator: "\n").utf8).write(to: manifest)
        let result = try fer(["train", "--run", root.appendingPathComponent("run").path, "--data", "manifest:\(manifest.path)", "--skip-bad-samples"] + model)
        #expect(result.status != 0)
        #expect(result.errors.contains("\(manifest.path):8") && result.errors.contains("../elsewhere/beta/0.png"), "\(result.errors)")
    }

    @Test("--test-limit 0, --train-limit 0 and an empty test part are errors, never 0%")
    func limitsAndEmptyParts() throws {
        let root = try temporaryDirectory("fer-limits")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeDataset(in: data, classes: ["alpha", "beta"], perClass: 3)
        let spec = ["--data", "folder:\(data.path):\(data.path)"]
        for option in ["--test-limit", "--train-limit"] {
            let result = try fer(["train", "--run", root.appendingPathComponent("run\(option)").path, option, "0"] + spec + model)
            #expect(result.status != 0, "\(option) 0 exited 0: \(result.output)")
            #expect(result.errors.contains("at least 1"), "\(result.errors)")
        }
        let single = root.appendingPathComponent("single")
        try writeDataset(in: single, classes: ["alpha"], perClass: 1)
        let holdOut = try fer(["train", "--run", root.appendingPathComponent("single-run").path, "--data", "folder:\(single.path)"] + model)
        #expect(holdOut.status != 0)
        #expect(holdOut.errors.contains(single.path), "\(holdOut.errors)")
    }
}
