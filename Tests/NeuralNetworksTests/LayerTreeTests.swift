import Foundation
import Testing
import NeuralNetworks
import Tensors
@testable import ExpressionRecognition

/// The layer tree: sublayers declared once (by reflection or one `children` list), and
/// names, state, modes and checkpoints derived from it.
@Suite("Layer tree")
struct LayerTreeTests {
    /// A composite that declares nothing: a plain child, an optional child (present and
    /// absent), an array of children, and a non-layer property.
    final class Composite: Layer {
        let stem: Conv2D<Double>
        let norms: [any Layer<Double>]
        let extra: BatchNorm<Double>?
        let missing: Linear<Double>?
        let note = "not a layer"
        let head: Sequential<Double>
        init() throws {
            var g = SeededGenerator(seed: 1)
            stem = Conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 1, using: &g)
            norms = [BatchNorm(featureCount: 2), try Dropout(rate: 0.5, random: RandomStream(seed: 2))]
            extra = BatchNorm(featureCount: 2)
            missing = nil
            head = Sequential([Flatten(), Linear(inputSize: 32, outputSize: 3, using: &g)])
        }
        func callAsFunction(_ input: Variable<Double>) throws -> Variable<Double> {
            try head(extra!(norms[1](norms[0](stem(input)))))
        }
    }

    @Test("Reflection finds every sublayer, in declaration order, with PyTorch-style names")
    func reflectedNames() throws {
        let model = try Composite()
        #expect(model.children.map(\.name) == ["stem", "norms.0", "norms.1", "extra", "head"])
        #expect(model.namedParameters.map(\.name) == ["stem.weight", "stem.bias", "norms.0.weight", "norms.0.bias", "extra.weight", "extra.bias",
                                                      "head.1.weight", "head.1.bias"])
        #expect(model.namedBuffers.map(\.name) == ["norms.0.running_mean", "norms.0.running_var", "extra.running_mean", "extra.running_var"])
        #expect(model.undeclaredChildren.isEmpty)
    }

    @Test("Training mode reaches every leaf, and reads back")
    func modePropagates() throws {
        let model = try Composite()
        model.isTraining = false
        #expect(!model.isTraining)
        #expect(!(model.norms[1] as! Dropout<Double>).isTraining && !model.extra!.isTraining && !model.stem.isTraining)
        model.isTraining = true
        #expect(model.isTraining && (model.norms[0] as! BatchNorm<Double>).isTraining)
        let classifier = try MultiScaleClassifier<Float>(side: 32, width: 0.125, classCount: 3)
        classifier.isTraining = false
        var leaves: [any Layer<Float>] = [classifier]
        var index = 0
        while index < leaves.count { leaves += leaves[index].children.map(\.layer); index += 1 }
        #expect(leaves.filter { $0.children.isEmpty }.allSatisfy { !$0.isTraining }, "a leaf stayed in training mode")
    }

    @Test("A nested model round-trips every parameter and buffer through a checkpoint")
    func checkpointRoundTrip() throws {
        let a = try Composite(), b = try Composite()
        var g = SeededGenerator(seed: 5)
        for (_, v) in a.namedState { v.value = Tensor(randomNormal: v.value.shape, using: &g) }
        var checkpoint = Checkpoint<Double>()
        checkpoint.store(a)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("layer-tree-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try checkpoint.write(to: file)
        try Checkpoint<Double>(contentsOf: file).restore(b)
        #expect(a.namedState.count == 12)
        for ((name, x), (_, y)) in zip(a.namedState, b.namedState) { #expect(x.value == y.value, "\(name)") }
    }

    @Test("Models that list their children themselves leave none out")
    func packageModelsDeclareEveryChild() throws {
        let classifier = try MultiScaleClassifier<Float>(side: 32, width: 0.125, classCount: 3)
        let autoencoder = try AsymmetricAutoencoder<Float>(side: 32, latentSize: 4)
        let critic = try Critic<Float>(side: 32, widths: [2, 4])
        var g = SeededGenerator(seed: 1)
        let layers: [any Layer<Float>] = [classifier, classifier.ori, autoencoder, critic, ResidualBlock<Float>(channels: 2, using: &g),
                                          Sequential<Float>([Flatten()]), ParallelConcatenation<Float>([("a", Flatten())])]
        for layer in layers { #expect(layer.undeclaredChildren.isEmpty, "\(type(of: layer)): \(layer.undeclaredChildren)") }
        // The encoder and decoder views hold the whole model but declare only their half.
        #expect(AutoencoderEncoder(autoencoder).undeclaredChildren == ["model"])
        // The names are the peer's (checked against PyTorch by the parity tests).
        #expect(classifier.namedParameters.contains { $0.name == "half_branch.features.0.weight" })
        #expect(autoencoder.namedParameters.first?.name.hasPrefix("e.0.") == true)
    }

    @Test("A list that forgets a child is caught")
    func forgottenChildIsReported() throws {
        final class Forgetful: Layer {
            let kept: Linear<Double>, forgotten: BatchNorm<Double>
            init() { var g = SeededGenerator(seed: 1); kept = Linear(inputSize: 2, outputSize: 2, using: &g); forgotten = BatchNorm(featureCount: 2) }
            func callAsFunction(_ input: Variable<Double>) throws -> Variable<Double> { try forgotten(kept(input)) }
            var children: [(name: String, layer: any Layer<Double>)] { [("kept", kept)] }
        }
        #expect(Forgetful().undeclaredChildren == ["forgotten"])
    }
}
