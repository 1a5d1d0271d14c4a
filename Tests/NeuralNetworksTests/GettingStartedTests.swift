import Foundation
import Testing
// Only what an outside package imports: NeuralNetworks re-exports Tensors.
import NeuralNetworks

/// The DocC article `NeuralNetworks.docc/GettingStarted.md`: its program runs here, and a
/// second test checks that the article still shows exactly these lines.
@Suite("Getting started article")
struct GettingStartedTests {
    @Test("The article's program trains, predicts and saves")
    func gettingStartedProgram() throws {
        // BEGIN GettingStarted.md: the article's `main.swift`, verbatim (its imports are at
        // the top of this file).
        var generator = SeededGenerator(seed: 1)  // every initial weight comes from this generator
        let model = Sequential<Float>([
            Conv2D(inputChannels: 1, outputChannels: 8, kernelSize: 3, padding: 1, using: &generator),
            BatchNorm(featureCount: 8), Activation(.relu), MaxPool2D(kernelSize: 2), Flatten(),
            Linear(inputSize: 8 * 14 * 14, outputSize: 10, using: &generator),
        ])
        let optimizer = try SGD(parameters: model.namedParameters, learningRate: 0.01, momentum: 0.9)
        let images = Tensor<Float>(randomNormal: [4, 1, 28, 28], using: &generator)  // (N, C, H, W)
        let labels = [0, 1, 2, 3]
        let crossEntropy = try CrossEntropyLoss()
        var losses: [Float] = []
        for _ in 0..<10 {  // each call zeroes the gradients, computes the loss, back-propagates, updates
            let loss = try optimizer.minimize { try crossEntropy(model(Variable(images)), labels: labels) }
            losses.append(loss)
        }
        // Evaluation mode (running statistics, no dropout) and no gradient recording, together.
        let predicted = try model.evaluating { try model(images) }.argmax(axis: 1)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-cnn.safetensors")
        try model.save(to: file)  // safetensors under PyTorch's state_dict names
        print("loss \(losses.first!) -> \(losses.last!), predicted \(predicted), saved \(file.path)")
        // END GettingStarted.md
        defer { try? FileManager.default.removeItem(at: file) }

        let finite = losses.allSatisfy(\.isFinite)
        let classesInRange = predicted.allSatisfy { (0..<10).contains($0) }
        #expect(losses.count == 10)
        #expect(finite)
        #expect(losses.last! < losses.first!)
        #expect(predicted.count == labels.count)
        #expect(classesInRange)
        // The file holds this model: a differently initialised copy that loads it predicts the same.
        var otherGenerator = SeededGenerator(seed: 2)
        let copy = Sequential<Float>([
            Conv2D(inputChannels: 1, outputChannels: 8, kernelSize: 3, padding: 1, using: &otherGenerator),
            BatchNorm(featureCount: 8), Activation(.relu), MaxPool2D(kernelSize: 2), Flatten(),
            Linear(inputSize: 8 * 14 * 14, outputSize: 10, using: &otherGenerator),
        ])
        try copy.load(from: file)
        let reloaded = try copy.evaluating { try copy(images) }.argmax(axis: 1)
        #expect(reloaded == predicted)
    }

    @Test("The article shows the tested program line for line, in at most 35 lines of Swift")
    func articleMatchesTest() throws {
        let testFile = URL(fileURLWithPath: #filePath)
        let article = testFile.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/NeuralNetworks/NeuralNetworks.docc/GettingStarted.md")
        let blocks = try Self.swiftBlocks(in: String(contentsOf: article, encoding: .utf8))
        #expect(blocks.count == 2, "the package's manifest, then the program")
        #expect(blocks.map(\.count).reduce(0, +) <= 35, "the issue's budget for the outside package")
        guard let program = blocks.last else { return }
        let expected = program.map(Self.trimmed).filter { !$0.isEmpty && !$0.hasPrefix("import ") }

        let source = try String(contentsOf: testFile, encoding: .utf8).components(separatedBy: "\n")
        guard let begin = source.firstIndex(where: { $0.contains("// BEGIN GettingStarted.md") }),
              let end = source.firstIndex(where: { $0.contains("// END GettingStarted.md") }) else {
            Issue.record("markers not found in \(testFile.path)")
            return
        }
        let tested = source[(begin + 2)..<end].map(Self.trimmed).filter { !$0.isEmpty }
        #expect(tested == expected)
    }

    /// The lines of each ```swift block of a Markdown text.
    static func swiftBlocks(in markdown: String) -> [[String]] {
        var blocks: [[String]] = []
        var current: [String]?
        for line in markdown.components(separatedBy: "\n") {
            if current == nil, trimmed(line) == "```swift" {
                current = []
            } else if let lines = current, trimmed(line) == "```" {
                blocks.append(lines)
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    static func trimmed(_ line: String) -> String {
        line.trimmingCharacters(in: .whitespaces)
    }
}
