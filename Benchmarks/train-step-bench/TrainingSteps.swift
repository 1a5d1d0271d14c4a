import ExpressionRecognition
import NeuralNetworks

/// The three training steps of the PyTorch peer (torch_step_bench.py), replicated one for
/// one in Float: the same models, optimizer settings, losses and modes (every model in
/// training mode, as the peer never calls `eval()`).
final class TrainingSteps {
    let side: Int
    let net: MultiScaleClassifier<Float>
    let optimizer: SGD<Float>
    /// The peer's `AsymAE(LATENT, SIDE)`: makes the neighbours and trains in the autoencoder step.
    let autoencoder: AsymmetricAutoencoder<Float>
    let autoencoderOptimizer: SGD<Float>
    let x: Variable<Float>
    let labels: [Int]
    let autoencoderInput: Variable<Float>
    /// Draws the neighbours' latent noise.
    var generator = SeededGenerator(seed: 1)
    let focal = try! FocalLoss(gamma: 2)
    let perSampleFocal = try! FocalLoss(gamma: 2, reduction: .none)

    init(side: Int, batch: Int, width: Double, latent: Int) throws {
        self.side = side
        net = try MultiScaleClassifier(side: side, width: width, seed: 0)
        optimizer = try SGD(parameters: net.namedParameters, learningRate: 1e-2, momentum: 0.9, weightDecay: 2e-3)
        autoencoder = try AsymmetricAutoencoder(side: side, latentSize: latent, seed: 1)
        autoencoderOptimizer = try SGD(parameters: autoencoder.namedParameters, learningRate: 1e-3, momentum: 0.9, weightDecay: 4e-4)
        var data = SeededGenerator(seed: 0)
        x = Variable(Tensor(randomNormal: [batch, 1, side, side], using: &data))
        labels = (0..<batch).map { _ in Int.random(in: 0..<7, using: &data) }
        autoencoderInput = Variable(Tensor(randomNormal: [64, 1, side, side], using: &data))
    }

    /// Baseline: the sum of the mean focal losses of the three heads.
    func baseline() throws {
        optimizer.zeroGradients()
        let logits = try net.logits(x)
        var loss = try focal(logits.ori, labels: labels)
        for head in [logits.half, logits.fused] { loss = try loss + focal(head, labels: labels) }
        try loss.backward()
        try optimizer.step()
    }

    /// Neighborhood-aware: neighbour by the autoencoder (code + N(0, 0.1^2), no gradient),
    /// the classifier on it, symmetric KL against the fused logits, mask S <= mean(S),
    /// then the sum over heads of mean(focal * mask).
    ///
    /// The peer keeps S_i <= T; eq. 11 (and ``NeighborhoodMask``) keep S_i < T. They differ
    /// only for a sample exactly at the mean, which does not change the cost measured here.
    func neighborhoodAware() throws {
        optimizer.zeroGradients()
        let neighborLogits = try withoutGradient { () throws -> Variable<Float> in
            let code = try autoencoder.encode(x).code
            let noise = Tensor<Float>(randomNormal: code.shape, standardDeviation: 0.1, using: &generator)
            let neighbor = try autoencoder.decode(code + Variable(noise)).image
            return try net.logits(neighbor).fused
        }
        let logits = try net.logits(x)
        let s = try neighborhoodDivergences(logits: logits.fused, neighborLogits: neighborLogits)
        let threshold = s.reduce(0, +) / Double(s.count)
        let mask = Variable(Tensor<Float>(s.map { $0 <= threshold ? 1 : 0 }))
        var loss: Variable<Float>?
        for head in logits.all {
            let term = try (perSampleFocal(head, labels: labels) * mask).mean()
            loss = try loss.map { try $0 + term } ?? term
        }
        try loss!.backward()
        try optimizer.step()
    }

    /// Autoencoder: batch 64 at SIDE, 4 * mse(image) + the four level mses (eq. 4).
    func autoencoderStep() throws {
        autoencoderOptimizer.zeroGradients()
        let loss = try autoencoder.reconstructionLoss(autoencoderInput)
        try loss.backward()
        try autoencoderOptimizer.step()
    }
}
