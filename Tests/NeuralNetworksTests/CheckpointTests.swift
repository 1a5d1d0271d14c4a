import Foundation
import Testing
import TestSupport
@testable import NeuralNetworks
@testable import ExpressionRecognition

@Suite("Checkpoints")
struct CheckpointTests {
    /// A small network with every kind of state: conv and linear weights, batch-norm
    /// running statistics, and dropout drawing from a stream. It declares nothing but its
    /// stored sublayer: names, state and mode come from the layer tree.
    final class Net: Layer {
        let body: Sequential<Double>
        let random: RandomStream
        init(seed: UInt64) throws {
            var g = SeededGenerator(seed: seed)
            random = RandomStream(seed: seed + 100)
            body = Sequential([Conv2D(inputChannels: 1, outputChannels: 3, kernelSize: 3, padding: 1, using: &g), BatchNorm(featureCount: 3),
                               Activation(.relu), Flatten(), try Dropout(rate: 0.3, random: random), Linear(inputSize: 48, outputSize: 2, using: &g)])
        }
        func callAsFunction(_ input: Variable<Double>) throws -> Variable<Double> { try body(input) }
    }

    struct Progress: Codable, Equatable { var step: Int; var dropoutState: [UInt64]; var dataState: [UInt64] }

    /// Trains `steps` steps from the given state; data comes from `data`.
    func train(_ net: Net, _ optimizer: SGD<Double>, _ data: inout SeededGenerator, steps: Int) throws {
        for _ in 0..<steps {
            let x = Variable(Tensor<Double>(randomNormal: [4, 1, 4, 4], using: &data))
            let labels = (0..<4).map { _ in Int(data.next() % 2) }
            optimizer.zeroGradients()
            try CrossEntropyLoss()(net(x), labels: labels).backward()
            try optimizer.step()
        }
    }

    @Test func resumedRunIsBitIdenticalToAnUninterruptedOne() throws {
        let folder = try temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(at: folder) }

        let straight = try Net(seed: 1)
        let straightOptimizer = try SGD(parameters: straight.namedParameters, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-3)
        var straightData = SeededGenerator(seed: 7)
        try train(straight, straightOptimizer, &straightData, steps: 6)

        let first = try Net(seed: 1)
        let firstOptimizer = try SGD(parameters: first.namedParameters, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-3)
        var firstData = SeededGenerator(seed: 7)
        try train(first, firstOptimizer, &firstData, steps: 3)
        var checkpoint = Checkpoint<Double>()
        checkpoint.store(first, prefix: "model/")
        checkpoint.store(firstOptimizer, prefix: "optimizer/")
        try checkpoint.store(Progress(step: 3, dropoutState: first.random.generator.state, dataState: firstData.state), key: "progress")
        let url = folder.appendingPathComponent("step3.safetensors")
        try checkpoint.write(to: url)

        // A new process would start from other weights: restore everything from the file.
        let resumed = try Net(seed: 999)
        let resumedOptimizer = try SGD(parameters: resumed.namedParameters, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-3)
        let loaded = try Checkpoint<Double>(contentsOf: url)
        try loaded.restore(resumed, prefix: "model/")
        try loaded.restore(resumedOptimizer, prefix: "optimizer/")
        let progress = try loaded.record(Progress.self, key: "progress")
        resumed.random.generator = try SeededGenerator(state: progress.dropoutState)
        var resumedData = try SeededGenerator(state: progress.dataState)
        try train(resumed, resumedOptimizer, &resumedData, steps: 6 - progress.step)

        for ((name, a), (_, b)) in zip(straight.namedState, resumed.namedState) {
            #expect(a.value.scalars.map(\.bitPattern) == b.value.scalars.map(\.bitPattern), "\(name) differs")
        }
    }

    @Test func roundTripAndPyTorchNames() throws {
        let folder = try temporaryDirectory("roundtrip")
        defer { try? FileManager.default.removeItem(at: folder) }
        let net = try Net(seed: 2)
        var checkpoint = Checkpoint<Double>()
        checkpoint.store(net)
        let url = folder.appendingPathComponent("net.safetensors")
        try checkpoint.write(to: url)
        let names = try SafeTensorsFile(contentsOf: url).names
        #expect(names.contains("body.0.weight") && names.contains("body.1.running_var") && names.contains("body.5.bias"))
        let other = try Net(seed: 3)
        try Checkpoint<Double>(contentsOf: url).restore(other)
        #expect(other.namedState.map(\.variable.value) == net.namedState.map(\.variable.value))
    }

    @Test func loadsTheClassifierWeightsPyTorchSaved() throws {
        // The model fixture holds a PyTorch state_dict under "param/".
        let url = parityDirectory().appendingPathComponent("multiscale_fer_side32_w0125.safetensors")
        let model = try MultiScaleClassifier<Double>(side: 32, width: 0.125)
        let checkpoint = try Checkpoint<Double>(contentsOf: url)
        try checkpoint.restore(model, prefix: "param/")
        #expect(model.ori.fc.weight.value == checkpoint.tensors["param/ori.fc.weight"])
        // In Float the dtype differs: refused unless conversion is asked for.
        #expect(throws: TensorError.self) { try Checkpoint<Float>(contentsOf: url) }
        let converted = try Checkpoint<Float>(contentsOf: url, convertingDType: true)
        try converted.restore(MultiScaleClassifier<Float>(side: 32, width: 0.125), prefix: "param/")
    }

    @Test func corruptAndMismatchedFilesThrowAndChangeNothing() throws {
        let folder = try temporaryDirectory("corrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let net = try Net(seed: 4)
        var checkpoint = Checkpoint<Double>()
        checkpoint.store(net)
        let url = folder.appendingPathComponent("good.safetensors")
        try checkpoint.write(to: url)
        let bytes = try Data(contentsOf: url)
        let target = try Net(seed: 5)
        let before = target.namedState.map(\.variable.value)

        // Truncated at several points.
        for cut in [4, 16, bytes.count / 2, bytes.count - 1] {
            let truncated = folder.appendingPathComponent("cut\(cut).safetensors")
            try bytes.prefix(cut).write(to: truncated)
            #expect(throws: TensorError.self) { try Checkpoint<Double>(contentsOf: truncated).restore(target) }
        }
        // Missing tensor.
        var missing = checkpoint
        missing = Checkpoint()
        for (name, variable) in net.namedState where name != "body.5.bias" { missing.storeTensor(variable.value, name: name) }
        #expect(throws: TensorError.missingTensor(name: "body.5.bias", path: "<new checkpoint>")) { try missing.restore(target) }
        // Wrong shape.
        var wrongShape = checkpoint
        wrongShape.storeTensor(Tensor(zeros: [3, 3]), name: "body.0.bias")
        #expect(throws: TensorError.shapeMismatch(op: "restore body.0.bias from <new checkpoint>", expected: "[3]", actual: [3, 3])) {
            try wrongShape.restore(target)
        }
        // Another architecture: an extra tensor.
        var extra = checkpoint
        extra.storeTensor(Tensor(zeros: [1]), name: "head.weight")
        #expect(throws: TensorError.malformedFile(path: "<new checkpoint>", message: "head.weight matches no parameter of the model (another architecture?)")) {
            try extra.restore(target)
        }
        try extra.restore(target, strict: false)  // allowed when asked for
        #expect(target.namedState.map(\.variable.value) == net.namedState.map(\.variable.value))
        // Wrong dtype.
        let floatURL = folder.appendingPathComponent("float.safetensors")
        try SafeTensorsWriter.write(["body.0.bias": Tensor<Float>([1, 2, 3])], to: floatURL)
        #expect(throws: TensorError.malformedFile(path: floatURL.path, message: "tensor body.0.bias has dtype F32, expected F64")) {
            try Checkpoint<Double>(contentsOf: floatURL)
        }
        // Missing or broken records.
        #expect(throws: TensorError.malformedFile(path: "<new checkpoint>", message: "no progress record")) {
            try checkpoint.record(Progress.self, key: "progress")
        }
        _ = before
    }

    @Test func failedWriteKeepsThePreviousCheckpoint() throws {
        let folder = try temporaryDirectory("atomic")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("last.safetensors")
        var checkpoint = Checkpoint<Double>()
        checkpoint.store(try Net(seed: 6))
        try checkpoint.write(to: url)
        let good = try Data(contentsOf: url)
        // A tensor under the reserved name makes the encoder throw before anything is written.
        var broken = checkpoint
        broken.storeTensor(Tensor([1]), name: "__metadata__")
        #expect(throws: TensorError.self) { try broken.write(to: url) }
        #expect(try Data(contentsOf: url) == good)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["last.safetensors"])
    }

    /// Diverged weights are never written, and never loaded into a model or an optimizer;
    /// the good file stays as it was.
    @Test func nonFiniteWeightsAreNeitherWrittenNorLoaded() throws {
        let folder = try temporaryDirectory("nonfinite")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("last.safetensors")
        let net = try Net(seed: 6)
        var checkpoint = Checkpoint<Double>()
        checkpoint.store(net)
        try checkpoint.write(to: url)
        let good = try Data(contentsOf: url)
        var diverged = checkpoint
        let (name, variable) = net.namedParameters[0]
        var poisoned = variable.value
        poisoned.scalars[0] = .infinity
        diverged.storeTensor(poisoned, name: name)
        #expect(throws: TensorError.nonFiniteValues(tensor: name, count: 1, context: "refusing to write \(url.path)")) {
            try diverged.write(to: url)
        }
        #expect(try Data(contentsOf: url) == good)

        // A file written around the check is refused on load, and the model keeps its weights.
        var tensors: [String: Tensor<Double>] = [:]
        for (n, v) in net.namedState { tensors[n] = v.value }
        tensors[name] = poisoned
        try SafeTensorsWriter.write(tensors, to: url)
        let before = net.namedParameters.map(\.variable.value)
        #expect(throws: TensorError.self) { try Checkpoint<Double>(contentsOf: url).restore(net) }
        #expect(net.namedParameters.map(\.variable.value) == before)
        let optimizer = try SGD(parameters: net.namedParameters, learningRate: 0.1, momentum: 0.9)
        var withState = Checkpoint<Double>()
        withState.storeTensor(poisoned, name: "optimizer/\(name).momentum")
        #expect(throws: TensorError.self) { try withState.restore(optimizer, prefix: "optimizer/") }
        #expect(throws: Never.self) { try net.checkFinite(context: "test") }
        variable.value = poisoned
        #expect(throws: TensorError.nonFiniteValues(tensor: name, count: 1, context: "after this step")) {
            try net.checkFinite(context: "after this step")
        }
    }
}
