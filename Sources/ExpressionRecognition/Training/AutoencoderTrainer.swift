import NeuralNetworks

/// The two training stages of the neighbourhood semantic transformation (Section III-B):
/// pre-training with the multi-scale reconstruction loss (eq. 4), then refinement of the
/// decoder against a WGAN critic with a perceptual loss (eq. 5-8).
public final class AutoencoderTrainer {
    public let settings: AutoencoderSettings
    public let autoencoder: AsymmetricAutoencoder<Float>
    /// The processes of a data-parallel pre-training (nil: one process): ``pretrainStep(images:optimizer:)``
    /// then reports the global batch's loss and averages the gradients before the optimizer step.
    public var dataParallel: (any DataParallel)?

    public init(settings: AutoencoderSettings, autoencoder: AsymmetricAutoencoder<Float>? = nil) throws {
        try settings.validate()
        self.settings = settings
        self.autoencoder = try autoencoder ?? AsymmetricAutoencoder(side: settings.side, latentSize: settings.latentSize,
                                                                    outputReLU: settings.outputReLU, seed: settings.seed)
    }

    /// Joins a data-parallel pre-training: rank 0's weights and buffers on every process, and
    /// this process's dropout stream (``DataParallel/generator(forRank0:)``). Call it at the
    /// start and again after restoring a checkpoint.
    public func join(_ dataParallel: any DataParallel) throws {
        self.dataParallel = dataParallel
        try dataParallel.broadcast(state: autoencoder.namedState)
        autoencoder.random.generator = dataParallel.generator(forRank0: autoencoder.random.generator)
    }

    /// The stage-1 optimizer: SGD with momentum and weight decay over every parameter.
    public func makePretrainOptimizer() throws -> SGD<Float> {
        try SGD(parameters: autoencoder.namedParameters, learningRate: settings.pretrainLearningRate,
                momentum: settings.momentum, weightDecay: settings.weightDecay)
    }

    /// One stage-1 step; returns Loss_AE. Dropout is on: the autoencoder is denoising.
    public func pretrainStep(images: Tensor<Float>, optimizer: SGD<Float>) throws -> Double {
        try ComputePrecision.inRun(settings.precision) { try pretrainStepInPrecision(images: images, optimizer: optimizer) }
    }

    private func pretrainStepInPrecision(images: Tensor<Float>, optimizer: SGD<Float>) throws -> Double {
        autoencoder.isTraining = true
        optimizer.zeroGradients()
        let loss = try autoencoder.reconstructionLoss(Variable(images), levelWeights: settings.levelWeights)
        var value = Double(loss.value.scalars[0])
        if let dataParallel { value = try dataParallel.average(value) }
        guard value.isFinite else { throw TensorError.invalidArgument(op: "pretraining", message: "the loss is \(value): training diverged") }
        try loss.backward()
        try dataParallel?.averageGradients(of: autoencoder.namedParameters)
        try optimizer.step()
        try autoencoder.checkFinite(context: "pretraining diverged (lower the learning rate): after this step the autoencoder")
        return value
    }

    /// Stage-2 state: the critic, both optimizers and the frozen perceptual network.
    public final class Refinement {
        public let critic: Critic<Float>
        public let decoderOptimizer: RMSprop<Float>
        public let criticOptimizer: RMSprop<Float>
        public let perceptual: PerceptualLoss<MultiScaleClassifier<Float>>?
        public var generatorSteps = 0

        init(critic: Critic<Float>, decoderOptimizer: RMSprop<Float>, criticOptimizer: RMSprop<Float>,
             perceptual: PerceptualLoss<MultiScaleClassifier<Float>>?) {
            self.critic = critic
            self.decoderOptimizer = decoderOptimizer
            self.criticOptimizer = criticOptimizer
            self.perceptual = perceptual
        }
    }

    /// Prepares stage 2. Only the decoder is refined (the encoder's code space stays the one
    /// the neighbours are drawn in); `classifier` is C of eq. 5, frozen (nil: pixel term only).
    public func makeRefinement(classifier: MultiScaleClassifier<Float>?) throws -> Refinement {
        let critic = try Critic<Float>(side: settings.side, seed: settings.seed &+ 5)
        // Frozen encoder: Loss_AE still reaches the decoder through the encoder's features,
        // but no encoder gradient is kept.
        autoencoder.encoder.setFrozen(true)
        let decoderParameters = autoencoder.decoder.namedParameters
        let decoderOptimizer = try RMSprop(parameters: decoderParameters, learningRate: settings.decoderLearningRate)
        let criticOptimizer = try RMSprop(parameters: critic.namedParameters, learningRate: settings.criticLearningRate)
        var perceptual: PerceptualLoss<MultiScaleClassifier<Float>>?
        if let classifier {
            classifier.setFrozen(true)
            classifier.isTraining = false
            perceptual = try PerceptualLoss(network: classifier, pixelWeight: settings.pixelWeight,
                                        layerWeights: settings.perceptualLayers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        return Refinement(critic: critic, decoderOptimizer: decoderOptimizer, criticOptimizer: criticOptimizer, perceptual: perceptual)
    }

    /// What one refinement step did.
    public struct RefinementOutcome: Sendable {
        public let generatorLoss: Double
        /// Loss_D of eq. 6 when the critic trained this step.
        public let criticLoss: Double?
    }

    /// One stage-2 step: the critic (every `criticEvery` generator steps, every step in the
    /// first epoch) on real images against reconstructions, then the decoder on
    /// Loss_G = lambda_AE Loss_AE + lambda_Adv Loss_Adv^G + lambda_Rec Loss_Rec (eq. 8).
    public func refineStep(images: Tensor<Float>, epoch: Int, state: Refinement) throws -> RefinementOutcome {
        try ComputePrecision.inRun(settings.precision) { try refineStepInPrecision(images: images, epoch: epoch, state: state) }
    }

    private func refineStepInPrecision(images: Tensor<Float>, epoch: Int, state: Refinement) throws -> RefinementOutcome {
        autoencoder.isTraining = true
        let real = Variable(images)
        var criticLoss: Double?
        if epoch == 0 || state.generatorSteps % settings.criticEvery == 0 {
            state.criticOptimizer.zeroGradients()
            let fake = try withoutGradient { try autoencoder(real) }
            let loss = try WassersteinLoss().critic(real: state.critic(real), fake: state.critic(fake))
            try loss.backward()
            try state.criticOptimizer.step()
            WassersteinLoss.clipWeights(of: state.critic, to: settings.clipBound)
            criticLoss = Double(loss.value.scalars[0])
        }
        state.decoderOptimizer.zeroGradients()
        let encoding = try autoencoder.encode(real)
        let decoding = try autoencoder.decode(encoding.code)
        let lambdaAE = try StepDecay(initial: settings.lambdaAE, interval: settings.lambdaAEDecayEvery).value(atEpoch: epoch)
        var loss = try autoencoder.reconstructionLoss(encoding, decoding, levelWeights: settings.levelWeights).scaled(by: Float(lambdaAE))
        loss = try loss + WassersteinLoss().generator(fake: state.critic(decoding.image)).scaled(by: Float(settings.lambdaAdversarial))
        let reconstruction = try state.perceptual.map { try $0(decoding.image, real) }
            ?? decoding.image.meanSquaredError(to: real).scaled(by: Float(settings.pixelWeight))
        loss = try loss + reconstruction.scaled(by: Float(settings.lambdaReconstruction))
        let value = Double(loss.value.scalars[0])
        guard value.isFinite else { throw TensorError.invalidArgument(op: "refinement", message: "the loss is \(value): training diverged") }
        try loss.backward()
        try state.decoderOptimizer.step()
        // The critic received gradients through the generator loss; they are not its own.
        state.critic.zeroGradients()
        state.generatorSteps += 1
        try autoencoder.checkFinite(context: "refinement diverged (lower the learning rates): after this step the autoencoder")
        try state.critic.checkFinite(context: "refinement diverged (lower the learning rates): after this step the critic")
        return RefinementOutcome(generatorLoss: value, criticLoss: criticLoss)
    }
}
