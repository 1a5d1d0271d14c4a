import Foundation
import Testing
import TestSupport
@testable import ExpressionRecognition
@testable import NeuralNetworks

/// The paper's autoencoder (Table I) and the WGAN critic: shapes, names against the
/// PyTorch peer, gradients, a falling loss, and forward/backward parity with the peer.
@Suite("Models")
struct ModelTests {
    // MARK: Expected names

    /// `AsymAE().named_parameters()` of /work/shared/peers/torch_models.py, printed with
    /// PyTorch 2 ("name shape", in order); 102 tensors, 851,593 scalars.
    static let peerParameters = """
        e.0.0.weight 16x1x3x3
        e.0.0.bias 16
        e.0.1.weight 16
        e.0.1.bias 16
        e.1.0.weight 32x16x3x3
        e.1.0.bias 32
        e.1.1.weight 32
        e.1.1.bias 32
        e.2.0.weight 64x32x3x3
        e.2.0.bias 64
        e.2.1.weight 64
        e.2.1.bias 64
        e.3.0.weight 80x64x3x3
        e.3.0.bias 80
        e.3.1.weight 80
        e.3.1.bias 80
        efc.weight 64x3920
        efc.bias 64
        dfc.weight 3920x64
        dfc.bias 3920
        d.0.0.weight 80x64x3x3
        d.0.0.bias 64
        d.0.2.c1.weight 64x64x3x3
        d.0.2.c1.bias 64
        d.0.2.b1.weight 64
        d.0.2.b1.bias 64
        d.0.2.c2.weight 64x64x3x3
        d.0.2.c2.bias 64
        d.0.2.b2.weight 64
        d.0.2.b2.bias 64
        d.0.3.c1.weight 64x64x3x3
        d.0.3.c1.bias 64
        d.0.3.b1.weight 64
        d.0.3.b1.bias 64
        d.0.3.c2.weight 64x64x3x3
        d.0.3.c2.bias 64
        d.0.3.b2.weight 64
        d.0.3.b2.bias 64
        d.1.0.weight 64x32x3x3
        d.1.0.bias 32
        d.1.2.c1.weight 32x32x3x3
        d.1.2.c1.bias 32
        d.1.2.b1.weight 32
        d.1.2.b1.bias 32
        d.1.2.c2.weight 32x32x3x3
        d.1.2.c2.bias 32
        d.1.2.b2.weight 32
        d.1.2.b2.bias 32
        d.1.3.c1.weight 32x32x3x3
        d.1.3.c1.bias 32
        d.1.3.b1.weight 32
        d.1.3.b1.bias 32
        d.1.3.c2.weight 32x32x3x3
        d.1.3.c2.bias 32
        d.1.3.b2.weight 32
        d.1.3.b2.bias 32
        d.2.0.weight 32x16x3x3
        d.2.0.bias 16
        d.2.2.c1.weight 16x16x3x3
        d.2.2.c1.bias 16
        d.2.2.b1.weight 16
        d.2.2.b1.bias 16
        d.2.2.c2.weight 16x16x3x3
        d.2.2.c2.bias 16
        d.2.2.b2.weight 16
        d.2.2.b2.bias 16
        d.2.3.c1.weight 16x16x3x3
        d.2.3.c1.bias 16
        d.2.3.b1.weight 16
        d.2.3.b1.bias 16
        d.2.3.c2.weight 16x16x3x3
        d.2.3.c2.bias 16
        d.2.3.b2.weight 16
        d.2.3.b2.bias 16
        d.3.0.weight 16x16x3x3
        d.3.0.bias 16
        d.3.2.c1.weight 16x16x3x3
        d.3.2.c1.bias 16
        d.3.2.b1.weight 16
        d.3.2.b1.bias 16
        d.3.2.c2.weight 16x16x3x3
        d.3.2.c2.bias 16
        d.3.2.b2.weight 16
        d.3.2.b2.bias 16
        d.3.3.c1.weight 16x16x3x3
        d.3.3.c1.bias 16
        d.3.3.b1.weight 16
        d.3.3.b1.bias 16
        d.3.3.c2.weight 16x16x3x3
        d.3.3.c2.bias 16
        d.3.3.b2.weight 16
        d.3.3.b2.bias 16
        out.0.weight 16x1x3x3
        out.0.bias 1
        out.1.c1.weight 1x1x3x3
        out.1.c1.bias 1
        out.1.b1.weight 1
        out.1.b1.bias 1
        out.1.c2.weight 1x1x3x3
        out.1.c2.bias 1
        out.1.b2.weight 1
        out.1.b2.bias 1
        """
    /// `AsymAE().named_buffers()` without `num_batches_tracked` (not kept here), in order.
    static let peerBuffers = """
        e.0.1.running_mean 16
        e.0.1.running_var 16
        e.1.1.running_mean 32
        e.1.1.running_var 32
        e.2.1.running_mean 64
        e.2.1.running_var 64
        e.3.1.running_mean 80
        e.3.1.running_var 80
        d.0.2.b1.running_mean 64
        d.0.2.b1.running_var 64
        d.0.2.b2.running_mean 64
        d.0.2.b2.running_var 64
        d.0.3.b1.running_mean 64
        d.0.3.b1.running_var 64
        d.0.3.b2.running_mean 64
        d.0.3.b2.running_var 64
        d.1.2.b1.running_mean 32
        d.1.2.b1.running_var 32
        d.1.2.b2.running_mean 32
        d.1.2.b2.running_var 32
        d.1.3.b1.running_mean 32
        d.1.3.b1.running_var 32
        d.1.3.b2.running_mean 32
        d.1.3.b2.running_var 32
        d.2.2.b1.running_mean 16
        d.2.2.b1.running_var 16
        d.2.2.b2.running_mean 16
        d.2.2.b2.running_var 16
        d.2.3.b1.running_mean 16
        d.2.3.b1.running_var 16
        d.2.3.b2.running_mean 16
        d.2.3.b2.running_var 16
        d.3.2.b1.running_mean 16
        d.3.2.b1.running_var 16
        d.3.2.b2.running_mean 16
        d.3.2.b2.running_var 16
        d.3.3.b1.running_mean 16
        d.3.3.b1.running_var 16
        d.3.3.b2.running_mean 16
        d.3.3.b2.running_var 16
        out.1.b1.running_mean 1
        out.1.b1.running_var 1
        out.1.b2.running_mean 1
        out.1.b2.running_var 1
        """
    static let peerParameterCount = 851_593

    static func parse(_ listing: String) -> [String] {
        listing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    static func describe(_ entries: [(name: String, variable: Variable<Float>)]) -> [String] {
        entries.map { "\($0.name) \($0.variable.shape.map(String.init).joined(separator: "x"))" }
    }

    // MARK: Structure

    @Test func autoencoderNamesAndShapesEqualThePeers() throws {
        let model = try AsymmetricAutoencoder<Float>()
        #expect(Self.describe(model.namedParameters) == Self.parse(Self.peerParameters))
        #expect(Self.describe(model.namedBuffers) == Self.parse(Self.peerBuffers))
        #expect(model.parameterCount == Self.peerParameterCount)
        // The two halves split the model's state without overlap or gaps.
        let halves = model.encoder.namedState.map(\.name) + model.decoder.namedState.map(\.name)
        #expect(Set(halves) == Set(model.namedState.map(\.name)))
        #expect(halves.count == model.namedState.count)
    }

    @Test(arguments: [112, 32])
    func autoencoderShapesAtEveryLevel(side: Int) throws {
        let model = try AsymmetricAutoencoder<Float>(side: side, seed: 3)
        let n = 2
        var g = SeededGenerator(seed: 1)
        let x = Variable(Tensor<Float>(randomNormal: [n, 1, side, side], using: &g))
        let encoding = try model.encode(x)
        #expect(encoding.code.shape == [n, 64])
        let scales = [side, side / 2, side / 4, side / 8, side / 16]
        let channels = [1, 16, 32, 64, 80]
        #expect(encoding.features.map(\.shape) == (0..<5).map { [n, channels[$0], scales[$0], scales[$0]] })
        let decoding = try model.decode(encoding.code)
        #expect(decoding.image.shape == [n, 1, side, side])
        #expect(decoding.levels.map(\.shape) == [[n, 80, side / 16, side / 16], [n, 64, side / 8, side / 8],
                                                  [n, 32, side / 4, side / 4], [n, 16, side / 2, side / 2]])
        #expect(try model(x).shape == x.shape)
        let loss = try model.reconstructionLoss(x)
        #expect(loss.shape == [] && loss.value.scalars[0].isFinite)
        // The halves as layers, as the neighbour generator uses them.
        #expect(try model.encoder(x).shape == [n, 64])
        #expect(try model.decoder(encoding.code).shape == x.shape)
        let generator = try SemanticNeighborGenerator(encoder: model.encoder, decoder: model.decoder, sigma: 0.1, random: RandomStream(seed: 5))
        #expect(try generator.neighbors(of: x).shape == x.shape)
        #expect(model.isTraining, "the generator restores the mode it found")
    }

    @Test func autoencoderModesPropagate() throws {
        let model = try AsymmetricAutoencoder<Float>(side: 16)
        model.isTraining = false
        #expect(!model.inputDropout.isTraining && !model.encoderBlocks[3].layers[1].isTraining && !model.output.layers[1].isTraining)
        model.decoder.isTraining = true
        #expect(model.decoderBlocks[2].layers[3].isTraining && model.decoder.isTraining)
        #expect(!model.encoder.isTraining && !model.encoderBlocks[0].layers[3].isTraining)
    }

    @Test func autoencoderRejectsBadSettingsAndInputs() throws {
        #expect(throws: TensorError.self) { try AsymmetricAutoencoder<Float>(side: 100) }
        #expect(throws: TensorError.self) { try AsymmetricAutoencoder<Float>(side: 0) }
        #expect(throws: TensorError.self) { try AsymmetricAutoencoder<Float>(latentSize: 0) }
        #expect(throws: TensorError.self) { try AsymmetricAutoencoder<Float>(dropoutRate: 1) }
        let model = try AsymmetricAutoencoder<Float>(side: 16)
        #expect(throws: TensorError.self) { try model.encode(Variable(Tensor(zeros: [2, 1, 32, 32]))) }
        #expect(throws: TensorError.self) { try model.encode(Variable(Tensor(zeros: [2, 3, 16, 16]))) }
        #expect(throws: TensorError.self) { try model.decode(Variable(Tensor(zeros: [2, 63]))) }
        #expect(throws: TensorError.self) { try model.reconstructionLoss(Variable(Tensor(zeros: [2, 1, 16, 16])), levelWeights: [4, 1]) }
    }

    @Test func criticShapesAndNames() throws {
        let critic = try Critic<Float>(side: 112, widths: [8, 16, 32, 64], seed: 1)
        #expect(critic.namedParameters.map(\.name) == [
            "features.0.weight", "features.0.bias", "features.2.weight", "features.2.bias",
            "features.4.weight", "features.4.bias", "features.6.weight", "features.6.bias", "score.weight", "score.bias",
        ])
        #expect(critic.score.weight.shape == [1, 64 * 7 * 7])
        #expect(try critic(Variable(Tensor(zeros: [3, 1, 112, 112]))).shape == [3, 1])
        // Odd sides round up at each stride-2 step: 30 -> 15 -> 8.
        let odd = try Critic<Float>(side: 30, widths: [4, 4])
        #expect(odd.score.weight.shape == [1, 4 * 8 * 8])
        #expect(try odd(Variable(Tensor(zeros: [2, 1, 30, 30]))).shape == [2, 1])
        #expect(throws: TensorError.self) { try critic(Variable(Tensor(zeros: [3, 1, 64, 64]))) }
        #expect(throws: TensorError.self) { try Critic<Float>(widths: []) }
        #expect(throws: TensorError.self) { try Critic<Float>(widths: [4, 0]) }
    }

    /// The paper's side 112 is not a multiple of 32: the Half branch floors 7 -> 3 at its
    /// last pool, as the peer (`Branch(side // 2)`, fc input 128 * 3 * 3).
    @Test func classifierTakesThePapersSide() throws {
        let model = try MultiScaleClassifier<Float>(side: 112, width: 0.0625)
        #expect(model.ori.fc.weight.shape == [64, 8 * 7 * 7])
        #expect(model.halfBranch.fc.weight.shape == [32, 8 * 3 * 3])
        let odd = try MultiScaleClassifier<Float>(side: 40, width: 0.0625)
        let logits = try odd.logits(Variable(Tensor(zeros: [2, 1, 40, 40])))
        #expect(logits.all.map(\.shape) == [[2, 7], [2, 7], [2, 7]])
        #expect(throws: TensorError.self) { try MultiScaleClassifier<Float>(side: 31) }
    }

    // MARK: Gradients

    /// Central differences on chosen elements of the input and of parameters, against the
    /// tape, for the eq. 4 loss in Double (batch norm in training mode, dropout rate 0).
    /// A full check of every parameter would take minutes in a debug build.
    @Test func autoencoderLossGradients() throws {
        let model = try AsymmetricAutoencoder<Double>(side: 16, latentSize: 8, inputDropoutRate: 0, dropoutRate: 0, seed: 7)
        let x = Variable(randomTensor([2, 1, 16, 16], seed: 11), requiresGradient: true)
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.variable) })
        let checked: [(String, Variable<Double>)] = [("x", x)] + [
            "e.0.0.weight", "e.2.1.bias", "e.3.0.weight", "efc.weight", "dfc.bias", "d.0.0.weight",
            "d.1.2.c1.weight", "d.2.3.b2.weight", "d.3.0.bias", "out.0.weight", "out.1.c2.weight", "out.1.b1.bias",
        ].map { ($0, parameters[$0]!) }
        try checkSelectedGradients(checked, samples: 12, seed: 3) { try model.reconstructionLoss(x) }
    }

    @Test func criticGradients() throws {
        let critic = try Critic<Double>(side: 9, widths: [3, 4], seed: 2)
        try checkGradients([randomTensor([2, 1, 9, 9], seed: 5)]) { v in try critic(v[0]) }
        let x = Variable(randomTensor([2, 1, 9, 9], seed: 6))
        try checkSelectedGradients(critic.namedParameters.map { ($0.name, $0.variable) }, samples: 6, seed: 4) {
            try WassersteinLoss().critic(real: critic(x), fake: critic(x.scaled(by: 0.5)))
        }
    }

    // MARK: Training

    @Test func autoencoderLossFallsUnderSGD() throws {
        let model = try AsymmetricAutoencoder<Float>(side: 16, latentSize: 16, seed: 1)
        let x = Variable(Tensor<Float>(randomNormal: [4, 1, 16, 16], using: &model.random.generator))
        // The paper's stage-1 settings (lr 1e-3, momentum 0.9, weight decay 4e-4), dropout on.
        let optimizer = try SGD(parameters: model.namedParameters, learningRate: 1e-3, momentum: 0.9, weightDecay: 4e-4)
        var losses: [Float] = []
        for _ in 0..<10 {
            optimizer.zeroGradients()
            let loss = try model.reconstructionLoss(x)
            try loss.backward()
            try optimizer.step()
            losses.append(loss.value.scalars[0])
        }
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(losses[losses.count - 1] < 0.85 * losses[0], "losses \(losses)")
    }

    @Test func criticLearnsToSeparateRealFromFake() throws {
        let critic = try Critic<Float>(side: 16, widths: [4, 8], seed: 1)
        var g = SeededGenerator(seed: 2)
        let real = Variable(Tensor<Float>(randomNormal: [4, 1, 16, 16], mean: 1, standardDeviation: 0.2, using: &g))
        let fake = Variable(Tensor<Float>(randomNormal: [4, 1, 16, 16], mean: -1, standardDeviation: 0.2, using: &g))
        let optimizer = try SGD(parameters: critic.namedParameters, learningRate: 1e-2, momentum: 0.9)
        var losses: [Float] = []
        for _ in 0..<10 {
            optimizer.zeroGradients()
            let loss = try WassersteinLoss().critic(real: critic(real), fake: critic(fake))
            try loss.backward()
            try optimizer.step()
            WassersteinLoss.clipWeights(of: critic, to: 0.5)
            losses.append(loss.value.scalars[0])
        }
        #expect(losses[losses.count - 1] < losses[0] - 0.1, "losses \(losses)")
    }

    // MARK: Parity with the peer

    /// The deterministic weights of Benchmarks/peers-extra/make_autoencoder_fixture.py.
    static func formulaValue(name: String, shape: [Int]) -> Tensor<Double> {
        let phase = Double(name.utf8.reduce(0) { $0 + Int($1) } % 997) * 0.01
        let n = shape.reduce(1, *)
        let t = (0..<n).map { Foundation.sin(0.7071 * Double($0) + phase) }
        let values: [Double]
        if name.hasSuffix("running_var") { values = t.map { 1 + 0.25 * (1 + $0) } }
        else if name.hasSuffix("running_mean") { values = t.map { 0.1 * $0 } }
        else if shape.count == 1 && name.hasSuffix(".weight") { values = t.map { 1 + 0.2 * $0 } }
        else if shape.count == 1 { values = t.map { 0.1 * $0 } }
        else {
            let s = (3 / (Double(n) / Double(shape[0]))).squareRoot()
            values = t.map { $0 * s }
        }
        return try! Tensor(shape: shape, scalars: values)
    }

    static var fixtureURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/asymae_side112.safetensors")
    }

    /// The peer's AsymAE at side 112 in float64 (Tests/Fixtures, made by
    /// Benchmarks/peers-extra/make_autoencoder_fixture.py): evaluation-mode outputs at every
    /// level, then the training-mode eq. 4 loss, its gradients and the running statistics.
    @Test func autoencoderMatchesThePeer() throws {
        let file = try SafeTensorsFile(contentsOf: Self.fixtureURL)
        let model = try AsymmetricAutoencoder<Double>(side: 112, seed: 0)
        for (name, variable) in model.namedState { variable.value = Self.formulaValue(name: name, shape: variable.shape) }
        let x = Variable(try file.tensor("in/x", as: Double.self))
        func expect(_ actual: Variable<Double>, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            expectClose(actual.value, try file.tensor(name, as: Double.self), absolute: 1e-9, relative: 1e-8, name, sourceLocation: sourceLocation)
        }

        model.isTraining = false
        let (encoding, decoding) = try withoutGradient {
            let e = try model.encode(x)
            return (e, try model.decode(e.code))
        }
        try expect(encoding.code, "out/code")
        try expect(encoding.features[4], "out/feature4")
        for level in 0..<3 { try expect(decoding.levels[level], "out/level\(level)") }
        try expect(decoding.image, "out/image")

        let trainModel = try AsymmetricAutoencoder<Double>(side: 112, inputDropoutRate: 0, dropoutRate: 0)
        for (name, variable) in trainModel.namedState { variable.value = Self.formulaValue(name: name, shape: variable.shape) }
        let xg = Variable(x.value, requiresGradient: true)
        let loss = try trainModel.reconstructionLoss(xg)
        try expect(loss, "out/train_loss")
        try loss.backward()
        try expect(Variable(xg.grad!), "grad/x")
        let state = Dictionary(uniqueKeysWithValues: trainModel.namedState.map { ($0.name, $0.variable) })
        for name in file.names {
            if name.hasPrefix("grad/"), name != "grad/x" {
                let parameter = try #require(state[String(name.dropFirst(5))])
                try expect(Variable(try #require(parameter.grad)), name)
            } else if name.hasPrefix("buf/") {
                try expect(try #require(state[String(name.dropFirst(4))]), name)
            }
        }
    }
}

/// Central differences on `samples` randomly chosen elements of each variable (all when it
/// has fewer), against the gradient the tape gives for the scalar `objective`. The
/// variables are perturbed in place and restored.
func checkSelectedGradients(
    _ variables: [(String, Variable<Double>)], samples: Int, seed: UInt64, step: Double = 1e-6,
    absoluteTolerance: Double = 1e-6, relativeTolerance: Double = 1e-5,
    sourceLocation: SourceLocation = #_sourceLocation, _ objective: () throws -> Variable<Double>
) throws {
    for (_, variable) in variables { variable.zeroGradient() }
    try objective().backward()
    var generator = SeededGenerator(seed: seed)
    for (label, variable) in variables {
        guard let analytic = variable.grad else {
            Issue.record("\(label) received no gradient", sourceLocation: sourceLocation)
            continue
        }
        let count = variable.value.count
        let indices = count <= samples ? Array(0..<count) : (0..<samples).map { _ in Int.random(in: 0..<count, using: &generator) }
        for j in indices {
            let original = variable.value.scalars[j]
            func value(at offset: Double) throws -> Double {
                variable.value.scalars[j] = original + offset
                return try withoutGradient { try objective().value.scalars[0] }
            }
            let numeric = (try value(at: step) - value(at: -step)) / (2 * step)
            variable.value.scalars[j] = original
            let error = abs(numeric - analytic.scalars[j])
            if error > absoluteTolerance + relativeTolerance * abs(numeric) {
                Issue.record("\(label)[\(j)]: analytic \(analytic.scalars[j]) vs numeric \(numeric)", sourceLocation: sourceLocation)
            }
        }
    }
}
