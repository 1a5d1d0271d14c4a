import ExpressionRecognition
import Foundation
import NeuralNetworks
import Testing
import TestSupport

/// `fer train --precision`: parsed, recorded in config.json, kept by --resume, refused when
/// wrong (the option, FER_PRECISION, or a change on --resume).
extension FERCommandTests {
    @Test func precisionIsARunSetting() throws {
        let root = try temporaryDirectory("fer-precision")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeTinyDataset(in: data)
        let noVariable: [String: String?] = ["FER_PRECISION": nil]
        func train(_ arguments: [String], environment: [String: String?] = noVariable) throws -> ProgramResult {
            try BuiltProgram.run(try #require(Self.executable, "build the fer product first"), arguments, environment: environment)
        }
        func config(_ run: URL) throws -> String { try String(contentsOf: run.appendingPathComponent("config.json"), encoding: .utf8) }
        func precision(_ run: URL) throws -> ComputePrecision? { try RunFolder.open(existing: run).readConfiguration(ClassifierSettings.self).precision }
        func model(_ run: URL) throws -> Data { try Data(contentsOf: run.appendingPathComponent("model.safetensors")) }

        let straight = root.appendingPathComponent("straight"), interrupted = root.appendingPathComponent("interrupted")
        let float = root.appendingPathComponent("float")
        let a = try train(["train", "--run", straight.path, "--precision", "bf16"] + tinyRun(data))
        #expect(a.status == 0, "\(a.errors)")
        #expect(a.errors.contains("convolution products in bf16"), "\(a.errors)")
        #expect(try precision(straight) == .bfloat16)

        // Stopped after one epoch and resumed without the option (and with FER_PRECISION saying
        // otherwise): the run continues in bf16 and ends with the straight run's weights.
        let b = try train(["train", "--run", interrupted.path, "--precision", "bf16", "--stop-after", "1"] + tinyRun(data))
        #expect(b.status == 0, "\(b.errors)")
        let c = try train(["train", "--resume", interrupted.path, "--quiet"], environment: ["FER_PRECISION": "float32"])
        #expect(c.status == 0, "\(c.errors)")
        #expect(try model(interrupted) == model(straight), "a resumed bf16 run must end with the same parameters")

        // Float is the default and is recorded as before (no key); its weights differ.
        let d = try train(["train", "--run", float.path] + tinyRun(data))
        #expect(d.status == 0, "\(d.errors)")
        #expect(try !config(float).contains("precision") && precision(float) == nil)
        #expect(try model(float) != model(straight))

        // FER_PRECISION is the default of a new run.
        let fromVariable = root.appendingPathComponent("variable")
        let e = try train(["train", "--run", fromVariable.path] + tinyRun(data, epochs: 1),
                          environment: ["FER_PRECISION": "bf16"])
        #expect(e.status == 0, "\(e.errors)")
        #expect(try precision(fromVariable) == .bfloat16)

        // Evaluating and predicting use the run's own precision, whatever FER_PRECISION says:
        // the same probabilities to the last digit with the variable unset, float32 or bf16.
        let image = data.appendingPathComponent("alpha/0.png").path
        for run in [straight, float] {
            let answers = try [nil, "float32", "bf16"].map { value in
                try train(["predict", "--run", run.path, "--json", image], environment: ["FER_PRECISION": value])
            }
            #expect(answers.allSatisfy { $0.status == 0 && $0.output.contains("\"probabilities\"") }, "\(answers.map(\.errors))")
            #expect(Set(answers.map(\.output)).count == 1, "\(answers.map(\.output))")
            let evaluations = try [nil, "float32", "bf16"].map { value in
                try train(["evaluate", "--run", run.path, "--json"], environment: ["FER_PRECISION": value])
            }
            #expect(evaluations.allSatisfy { $0.status == 0 } && Set(evaluations.map(\.output)).count == 1, "\(evaluations.map(\.output))")
        }
        // The check above can fail: the bf16 run's weights answered in float32 (its config
        // without the precision key) give other probabilities.
        let asFloat = root.appendingPathComponent("bf16-weights-in-float32")
        try FileManager.default.copyItem(at: straight, to: asFloat)
        let configFile = asFloat.appendingPathComponent("config.json")
        var configObject = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: configFile)) as? [String: Any])
        #expect(configObject.removeValue(forKey: "precision") != nil)
        try JSONSerialization.data(withJSONObject: configObject).write(to: configFile)
        let inFloat = try train(["predict", "--run", asFloat.path, "--json", image])
        let inBF16 = try train(["predict", "--run", straight.path, "--json", image])
        #expect(inFloat.status == 0 && inFloat.output != inBF16.output, "\(inFloat.errors)")

        // Wrong values, and a change on --resume, are refused.
        let bad = try train(["train", "--run", root.appendingPathComponent("bad").path, "--precision", "fp16"] + tinyRun(data))
        #expect(bad.status != 0 && bad.errors.contains("fp16") && bad.errors.contains("bf16"), "\(bad.errors)")
        let badVariable = try train(["train", "--run", root.appendingPathComponent("bad").path] + tinyRun(data), environment: ["FER_PRECISION": "half"])
        #expect(badVariable.status != 0 && badVariable.errors.contains("FER_PRECISION") && badVariable.errors.contains("'half'"), "\(badVariable.errors)")
        let changed = try train(["train", "--resume", straight.path, "--precision", "float32"])
        #expect(changed.status != 0 && changed.errors.contains("--precision would be ignored"), "\(changed.errors)")
        let demo = try train(["demo", "--precision", "fp16", "--output", root.appendingPathComponent("demo").path])
        #expect(demo.status != 0 && demo.errors.contains("fp16"), "\(demo.errors)")
    }
}
