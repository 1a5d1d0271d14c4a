import Foundation
import Testing
import TestSupport
import ParityFixtures
@testable import Tensors

/// Every PyTorch fixture, every out/ and grad/ tensor, in Double and in Float.
@Suite("PyTorch parity")
struct ParityTests {
    static let fixtureNames = parityFixtureFiles().map(\.lastPathComponent)

    @Test(arguments: fixtureNames)
    func double(_ name: String) throws {
        let file = try SafeTensorsFile(contentsOf: parityDirectory().appendingPathComponent(name))
        let lines = try ParityRunner.run(file, as: Double.self)
        #expect(!lines.isEmpty)
        for line in lines where !line.passed { Issue.record("\(name): \(line)") }
    }

    @Test(arguments: fixtureNames)
    func float(_ name: String) throws {
        let file = try SafeTensorsFile(contentsOf: parityDirectory().appendingPathComponent(name))
        let lines = try ParityRunner.run(file, as: Float.self)
        #expect(!lines.isEmpty)
        for line in lines where !line.passed { Issue.record("\(name): \(line)") }
    }

    /// Winograd and the direct loops, each forced wherever it applies (every 3x3 and 5x5, or
    /// every square, stride-1 convolution of every fixture, whole classifier steps included),
    /// against the same fixtures and tolerances.
    @Test(arguments: [ConvolutionAlgorithm.winograd, .direct], fixtureNames)
    func forcedAlgorithm(_ algorithm: ConvolutionAlgorithm, _ name: String) throws {
        let file = try SafeTensorsFile(contentsOf: parityDirectory().appendingPathComponent(name))
        for lines in try ConvolutionAlgorithm.$override.withValue(algorithm, operation: {
            [try ParityRunner.run(file, as: Double.self), try ParityRunner.run(file, as: Float.self)]
        }) {
            #expect(!lines.isEmpty)
            for line in lines where !line.passed { Issue.record("\(name) with \(algorithm): \(line)") }
        }
    }

    /// Fixtures this project generated itself with PyTorch, for what ../shared/parity does not
    /// cover: Adam, AdamW and AMSGrad (Benchmarks/peers-extra/make_optimizer_fixtures.py; 4
    /// steps each), and label-smoothed losses, with class weights and a weighted mean
    /// (make_label_smoothing_fixtures.py; the loss and its gradient).
    static let projectFixtures = ["adam.safetensors", "adamw.safetensors", "adam_amsgrad.safetensors",
                                  "cross_entropy_smoothing.safetensors", "cross_entropy_smoothing_weighted.safetensors",
                                  "focal_smoothing.safetensors"]
    /// The lines each project fixture compares: every step's parameters, or the loss and its gradient.
    static func projectFixtureLineCount(_ name: String) -> Int { name.hasPrefix("adam") ? 4 : 2 }
    static func projectFixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    }

    @Test(arguments: projectFixtures)
    func projectFixtureDouble(_ name: String) throws {
        let lines = try ParityRunner.run(SafeTensorsFile(contentsOf: Self.projectFixture(name)), as: Double.self)
        #expect(lines.count == Self.projectFixtureLineCount(name))
        for line in lines where !line.passed { Issue.record("\(name): \(line)") }
    }

    @Test(arguments: projectFixtures)
    func projectFixtureFloat(_ name: String) throws {
        let lines = try ParityRunner.run(SafeTensorsFile(contentsOf: Self.projectFixture(name)), as: Float.self)
        #expect(lines.count == Self.projectFixtureLineCount(name))
        for line in lines where !line.passed { Issue.record("\(name): \(line)") }
    }

    @Test func fixturesCoverEveryKnownOp() throws {
        let files = parityFixtureFiles() + Self.projectFixtures.map(Self.projectFixture)
        let ops = try Set(files.map { try ParityRunner.op(of: SafeTensorsFile(contentsOf: $0)) })
        #expect(ops == Set(ParityRunner.knownOps))
    }

    /// The runner must notice a wrong value: perturb one expected element and expect a failure.
    @Test func aPerturbedFixtureFails() throws {
        let source = try SafeTensorsFile(contentsOf: parityDirectory().appendingPathComponent("tanh.safetensors"))
        var tensors: [String: SafeTensorsValue] = [:]
        for name in source.names { tensors[name] = .float64(try source.tensor(name, as: Double.self)) }
        var y = try source.tensor("out/y", as: Double.self)
        y.scalars[3] += 1e-6
        tensors["out/y"] = .float64(y)
        let file = try SafeTensorsFile(data: SafeTensorsWriter.encode(tensors, metadata: source.metadata), path: "perturbed")
        let lines = try ParityRunner.run(file, as: Double.self)
        #expect(lines.first { $0.name == "out/y" }?.passed == false)
        #expect(lines.first { $0.name == "grad/x" }?.passed == true)
    }

    @Test func aMissingComputationFails() throws {
        let source = try SafeTensorsFile(contentsOf: parityDirectory().appendingPathComponent("tanh.safetensors"))
        var tensors: [String: SafeTensorsValue] = [:]
        for name in source.names { tensors[name] = .float64(try source.tensor(name, as: Double.self)) }
        tensors["out/extra"] = .float64(Tensor([1, 2]))
        let file = try SafeTensorsFile(data: SafeTensorsWriter.encode(tensors, metadata: source.metadata), path: "extra")
        let line = try ParityRunner.run(file, as: Double.self).first { $0.name == "out/extra" }
        #expect(line?.passed == false)
        #expect(line?.problem == "not computed")
    }

    @Test func unknownOpAndBadMetadataThrow() throws {
        let tensors: [String: SafeTensorsValue] = ["in/x": .float64(Tensor([1])), "out/y": .float64(Tensor([1]))]
        let unknown = try SafeTensorsFile(data: SafeTensorsWriter.encode(tensors, metadata: ["op": "\"gelu\""]), path: "u")
        #expect(throws: ParityError.unknownOp(path: "u", op: "gelu")) { try ParityRunner.run(unknown, as: Double.self) }
        let noOp = try SafeTensorsFile(data: SafeTensorsWriter.encode(tensors, metadata: [:]), path: "n")
        #expect(throws: ParityError.badMetadata(path: "n", key: "op", message: "missing")) { try ParityRunner.run(noOp, as: Double.self) }
        let badStride = try SafeTensorsFile(data: SafeTensorsWriter.encode(tensors, metadata: ["op": "\"conv2d\"", "stride": "two"]), path: "s")
        #expect(throws: (any Error).self) { try ParityRunner.run(badStride, as: Double.self) }
    }

    /// A fixture of the same schema with other shapes and settings: built here from the
    /// direct-loop reference convolution (forward values only, no gradients).
    @Test func otherShapesRunUnchanged() throws {
        var g = SeededGenerator(seed: 99)
        let x = Tensor<Double>(randomNormal: [3, 4, 10, 7], using: &g)
        let w = Tensor<Double>(randomNormal: [5, 4, 3, 3], using: &g)
        let b = Tensor<Double>(randomNormal: [5], using: &g)
        let y = referenceConv2d(x, weight: w, bias: b, stride: 3, padding: 1)
        let tensors: [String: SafeTensorsValue] = [
            "in/x": .float64(x), "param/weight": .float64(w), "param/bias": .float64(b),
            "dout": .float64(Tensor(repeating: 0.5, shape: y.shape)), "out/y": .float64(y),
        ]
        let file = try SafeTensorsFile(data: SafeTensorsWriter.encode(tensors, metadata: ["op": "\"conv2d\"", "stride": "3", "padding": "1"]), path: "other")
        let lines = try ParityRunner.run(file, as: Double.self)
        #expect(lines.count == 1 && lines.allSatisfy(\.passed))
    }
}
