import Foundation
import Testing
import NeuralNetworks
import Tensors
@testable import ExpressionRecognition

/// The short forms a user reaches for: argmax, item, evaluating, plain-tensor calls,
/// save/load, minimize and accuracy.
@Suite("Conveniences")
struct ConvenienceTests {
    func model(seed: UInt64 = 1) -> Sequential<Float> {
        var g = SeededGenerator(seed: seed)
        return Sequential([Flatten(), Linear(inputSize: 4, outputSize: 3, using: &g), try! Dropout(rate: 0.5, random: RandomStream(seed: 3))])
    }

    @Test("argmax along either axis, first index on ties, NaN never largest, bad axes throw")
    func argmax() throws {
        let t = try Tensor<Float>(shape: [2, 3], scalars: [1, 5, 5, .nan, 2, -1])
        #expect(try t.argmax(axis: 1) == [1, 1])
        #expect(try t.argmax(axis: 0) == [0, 0, 0])
        #expect(throws: TensorError.self) { try t.argmax(axis: 2) }
        #expect(throws: TensorError.self) { try t.argmax(axis: -1) }
        #expect(throws: TensorError.self) { try Tensor<Float>(shape: [2, 0], scalars: []).argmax(axis: 1) }
    }

    @Test("item reads a one-element variable and refuses others")
    func item() throws {
        #expect(try Variable(Tensor<Float>([2.5])).item == 2.5)
        #expect(throws: TensorError.self) { try Variable(Tensor<Float>([1, 2])).item }
    }

    @Test("evaluating switches off training and recording, then restores the mode")
    func evaluating() throws {
        let m = model()
        let x = Tensor<Float>(repeating: 1, shape: [2, 1, 2, 2])
        let (inside, output) = try m.evaluating { (m.isTraining, try m(Variable(x))) }
        #expect(!inside && m.isTraining)
        #expect(!output.requiresGradient, "nothing was recorded")
        // Evaluation mode: dropout off, so two calls agree, and the plain-tensor call matches.
        let again = try m.evaluating { try m(x) }
        #expect(again == output.value)
    }

    @Test("save and load round-trip every tensor; a truncated file is an error that changes nothing")
    func saveLoad() throws {
        let a = model(seed: 1), b = model(seed: 2)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("convenience-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try a.save(to: file)
        try b.load(from: file)
        for ((_, x), (_, y)) in zip(a.namedState, b.namedState) { #expect(x.value == y.value) }
        let bytes = try Data(contentsOf: file)
        try bytes.prefix(bytes.count - 8).write(to: file)
        let c = model(seed: 3), before = c.namedState.map(\.variable.value)
        #expect(throws: (any Error).self) { try c.load(from: file) }
        #expect(c.namedState.map(\.variable.value) == before)
    }

    @Test("minimize is zero, backward and step")
    func minimize() throws {
        let a = model(seed: 1), b = model(seed: 1)
        a.isTraining = false; b.isTraining = false
        var g = SeededGenerator(seed: 5)
        let x = Variable(Tensor<Float>(randomNormal: [4, 1, 2, 2], using: &g)), labels = [0, 2, 1, 2]
        let sgdA = try SGD(parameters: a.namedParameters, learningRate: 0.1, momentum: 0.9)
        let sgdB = try SGD(parameters: b.namedParameters, learningRate: 0.1, momentum: 0.9)
        for _ in 0..<3 {
            let value = try sgdA.minimize { try CrossEntropyLoss()(a(x), labels: labels) }
            sgdB.zeroGradients()
            let loss = try CrossEntropyLoss()(b(x), labels: labels)
            #expect(value == loss.value.scalars[0])
            try loss.backward()
            try sgdB.step()
        }
        for ((name, p), (_, q)) in zip(a.namedParameters, b.namedParameters) { #expect(p.value == q.value, "\(name)") }
    }

    @Test("accuracy of any classifier over any dataset")
    func accuracyOfAnyClassifier() throws {
        var bytes: [UInt8] = [], labels: [Int] = []
        for i in 0..<10 { bytes += Array(repeating: UInt8(i * 20), count: 32 * 32); labels.append(i % 3) }
        let dataset = try InMemoryDataset(side: 32, pixelBytes: bytes, labels: labels, classNames: ["a", "b", "c"])
        var g = SeededGenerator(seed: 7)
        let classifier = Sequential<Float>([Flatten(), Linear(inputSize: 32 * 32, outputSize: 3, using: &g)])
        let measured = try accuracy(of: classifier, on: dataset, batchSize: 4)
        var correct = 0
        for i in 0..<dataset.count {
            let image = try dataset.image(at: i)
            let logits = try classifier(Tensor<Float>(shape: [1, 1, 32, 32], scalars: image.pixels))
            if try logits.argmax(axis: 1)[0] == labels[i] { correct += 1 }
        }
        #expect(measured == Double(correct) / 10)
        let empty = try InMemoryDataset(side: 32, pixelBytes: [], labels: [], classNames: ["a"])
        #expect(throws: DatasetError.self) { try accuracy(of: classifier, on: empty) }
    }

    /// The README's library example, line for line (the file name aside).
    @Test("The README example runs and learns its four images")
    func readmeExample() throws {
        var generator = SeededGenerator(seed: 1)
        let model = Sequential<Float>([
            Conv2D(inputChannels: 1, outputChannels: 8, kernelSize: 3, padding: 1, using: &generator),
            BatchNorm(featureCount: 8), Activation(.relu), MaxPool2D(kernelSize: 2), Flatten(),
            Linear(inputSize: 8 * 14 * 14, outputSize: 10, using: &generator),
        ])
        let optimizer = try SGD(parameters: model.namedParameters, learningRate: 0.01, momentum: 0.9)
        let images = Tensor<Float>(randomNormal: [4, 1, 28, 28], using: &generator)
        let labels = [0, 1, 2, 3]
        var losses: [Float] = []
        for _ in 0..<10 {
            let loss = try optimizer.minimize { try CrossEntropyLoss()(model(Variable(images)), labels: labels) }
            losses.append(loss)
        }
        let predicted = try model.evaluating { try model(images) }.argmax(axis: 1)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try model.save(to: file)
        #expect(losses.last! < losses.first!)
        #expect(predicted.count == 4)
        #expect(FileManager.default.fileExists(atPath: file.path))
    }
}
