import Distributed
import Foundation
import NeuralNetworks
import Tensors

/// One training run of the equivalence check. The model (side 6, one input channel):
/// conv 3x3 (4 channels) -> [batch norm] -> ReLU -> max-pool 2 -> flatten -> linear (36 -> 3);
/// SGD with momentum 0.9, weight decay 0.01, learning rate 0.1, no dropout. Step t's global
/// batch is drawn from seed 1000 + t, the same on every rank.
struct EquivalenceRun<Scalar: MPIScalar> {
    let options: EquivalenceOptions
    let communicator: Communicator?
    static var side: Int { 6 }
    static var classCount: Int { 3 }

    func makeModel(seed: UInt64) -> Sequential<Scalar> {
        var generator = SeededGenerator(seed: seed)
        var layers: [any Layer<Scalar>] = [Conv2D<Scalar>(inputChannels: 1, outputChannels: 4, kernelSize: 3, padding: 1, using: &generator)]
        switch options.batchNorm {
        case .none: break
        case .local: layers.append(BatchNorm<Scalar>(featureCount: 4))
        case .synchronized:
            if let communicator { layers.append(SynchronizedBatchNorm<Scalar>(featureCount: 4, communicator: communicator)) }
            else { layers.append(BatchNorm<Scalar>(featureCount: 4)) }
        }
        layers += [Activation<Scalar>(.relu), MaxPool2D<Scalar>(kernelSize: 2), Flatten<Scalar>(),
                   Linear<Scalar>(inputSize: 4 * 9, outputSize: Self.classCount, using: &generator)]
        return Sequential(layers)
    }

    /// Step `step`'s global batch: images (G, 1, 6, 6) from N(0, 1) and labels in 0..<3.
    func globalBatch(step: Int) -> (images: [Scalar], labels: [Int]) {
        var generator = SeededGenerator(seed: 1000 + UInt64(step))
        let images = Tensor<Scalar>(randomNormal: [options.globalBatch, 1, Self.side, Self.side], using: &generator).scalars
        let labels = (0..<options.globalBatch).map { _ in Int(generator.next() % UInt64(Self.classCount)) }
        return (images, labels)
    }

    func train() throws -> EquivalenceReport {
        let rank = communicator?.rank ?? 0, size = communicator?.size ?? 1
        // Each rank starts from other weights, so the broadcast has something to do.
        let model = makeModel(seed: 7 + UInt64(rank))
        var report = EquivalenceReport(processCount: size, state: [:], losses: [], thresholds: [], keptCounts: [],
                                       ranksDifferedBeforeBroadcast: false, ranksAgreeAfterBroadcast: true, parametersAgreeAtEnd: true)
        var averager: GradientAverager<Scalar>?
        if let communicator {
            report.ranksDifferedBeforeBroadcast = try !Self.ranksAgree(model.namedState, communicator)
            try communicator.broadcastState(of: model, from: 0)
            report.ranksAgreeAfterBroadcast = try Self.ranksAgree(model.namedState, communicator)
            averager = try GradientAverager(communicator: communicator, bucketBytes: options.bucketBytes)
        }
        let optimizer = try SGD(parameters: model.namedParameters, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        var mask = try NeighborhoodMask(rule: .batchMean)
        let shard = try GlobalBatchShard(rank: rank, processCount: size)
        let sampleSize = Self.side * Self.side
        for step in 0..<options.steps {
            if let failRank = options.failRank, failRank == rank, step == options.failStep {
                throw MPIError.invalidArgument(operation: "mpi-equivalence", message: "rank \(rank) fails at step \(step) on purpose (--fail-rank)")
            }
            let (allImages, allLabels) = globalBatch(step: step)
            let range = try shard.range(inGlobalBatchOf: options.globalBatch)
            let images = try Tensor<Scalar>(shape: [range.count, 1, Self.side, Self.side],
                                            scalars: Array(allImages[range.lowerBound * sampleSize ..< range.upperBound * sampleSize]))
            let labels = Array(allLabels[range])
            model.isTraining = true
            optimizer.zeroGradients()
            let perSample = try CrossEntropyLoss(reduction: .none)(try model(Variable(images)), labels: labels)
            let loss: Variable<Scalar>
            if options.mask {
                // The per-sample loss stands in for the divergence S: above the batch mean is masked.
                let divergences = perSample.value.scalars.map(Double.init)
                if let communicator {
                    let decision = try GlobalBatchMask.decide(&mask, localDivergences: divergences, communicator: communicator)
                    loss = try GlobalBatchMask.maskedMean(perSample, localKeep: decision.localKeep)
                    report.thresholds.append(decision.global.threshold)
                    report.keptCounts.append(decision.global.keep.filter { $0 }.count)
                } else {
                    let decision = try mask.decide(divergences: divergences)
                    loss = try maskedMean(perSample, decision: decision)
                    report.thresholds.append(decision.threshold)
                    report.keptCounts.append(decision.keep.filter { $0 }.count)
                }
            } else {
                loss = try perSample.mean()
            }
            var lossValue = [Double(loss.value.scalars[0])]
            try loss.backward()
            if let communicator, let averager {
                try averager.averageGradients(of: model)
                try communicator.allReduceAverage(&lossValue)
            }
            try optimizer.step()
            report.losses.append(lossValue[0])
        }
        for (name, variable) in model.namedState { report.state[name] = variable.value.scalars.map(Double.init) }
        // Parameters only: with per-process batch norm the running statistics differ by design.
        if let communicator { report.parametersAgreeAtEnd = try Self.ranksAgree(model.namedParameters, communicator) }
        return report
    }

    /// Whether every rank holds bit-identical values of `state` (element-wise maximum equals
    /// element-wise minimum).
    static func ranksAgree(_ state: [(name: String, variable: Variable<Scalar>)], _ communicator: Communicator) throws -> Bool {
        let values = state.flatMap { $0.variable.value.scalars }
        var maxima = values, minima = values
        try communicator.allReduce(&maxima, .maximum)
        try communicator.allReduce(&minima, .minimum)
        return maxima == minima
    }
}
