import Foundation
import NeuralNetworks

/// Whether an autoencoder's semantic neighbours deserve the name: how well it reconstructs
/// (PSNR), how far its neighbours are from the originals, and how often a classifier's
/// prediction moves to another class on the neighbour (a neighbour that changes the class
/// of most images is not a neighbour).
public struct NeighborQuality: Codable, Sendable, Equatable {
    public var sigma: Double
    public var images: Int
    /// PSNR (dB) of the reconstructions against the originals, pixels in [0, 1]:
    /// 10 log10(1 / MSE) over all pixels of all images.
    public var reconstructionPSNR: Double
    /// PSNR of the neighbours against the originals.
    public var neighborPSNR: Double
    /// Share of images whose predicted class differs between image and neighbour (nil
    /// without a classifier).
    public var flipRate: Double?
    /// Mean symmetric KL divergence S between the predictions on image and neighbour.
    public var meanDivergence: Double?

    /// Measures over `dataset` (evaluation mode everywhere, no recording), 64 images at a time.
    /// - Throws: for an empty dataset, a classifier or autoencoder side that differs from the
    ///   images', and any error reading a sample.
    public static func measure<Dataset: ImageDataset>(
        autoencoder: AsymmetricAutoencoder<Float>, sigma: Double, on dataset: Dataset,
        classifier: MultiScaleClassifier<Float>? = nil, seed: UInt64
    ) throws -> NeighborQuality {
        guard dataset.count > 0 else { throw DatasetError.invalidArgument(operation: "NeighborQuality", message: "no images to measure on") }
        let wasTraining = (autoencoder.isTraining, classifier?.isTraining)
        autoencoder.isTraining = false
        classifier?.isTraining = false
        defer {
            autoencoder.isTraining = wasTraining.0
            if let training = wasTraining.1 { classifier?.isTraining = training }
        }
        let generator = try SemanticNeighborGenerator(encoder: autoencoder.encoder, decoder: autoencoder.decoder, sigma: sigma, random: RandomStream(seed: seed))
        let loader = try BatchLoader(dataset: dataset, sampler: SequentialBatchSampler(count: dataset.count, batchSize: 64),
                                     options: LoaderOptions(prefetchDepth: 2))
        var reconstructionError = 0.0, neighborError = 0.0, pixels = 0, count = 0
        var stability = PredictionStability()
        let batches = loader.epoch(0)
        while let batch = try batches.next() {
            let input = Variable(batch.images)
            let (reconstruction, neighbor) = try withoutGradient { (try autoencoder(input), try generator.neighbors(of: input)) }
            guard reconstruction.shape == batch.images.shape else {
                throw DatasetError.invalidArgument(operation: "NeighborQuality", message: "the autoencoder makes \(reconstruction.shape) from images \(batch.images.shape)")
            }
            for (i, x) in batch.images.scalars.enumerated() {
                let r = Double(reconstruction.value.scalars[i]) - Double(x), n = Double(neighbor.value.scalars[i]) - Double(x)
                reconstructionError += r * r
                neighborError += n * n
            }
            pixels += batch.images.count
            count += batch.count
            if let classifier {
                let (own, other) = try withoutGradient { (try classifier(input), try classifier(neighbor)) }
                stability.add(predictions: argmaxRows(own.value), neighborPredictions: argmaxRows(other.value),
                              divergences: try neighborhoodDivergences(logits: own, neighborLogits: other))
            }
        }
        func psnr(_ squaredError: Double) -> Double { 10 * log10(1 / max(squaredError / Double(max(1, pixels)), 1e-12)) }
        return NeighborQuality(sigma: sigma, images: count, reconstructionPSNR: psnr(reconstructionError), neighborPSNR: psnr(neighborError),
                               flipRate: classifier == nil ? nil : stability.flipRate,
                               meanDivergence: classifier == nil ? nil : stability.meanDivergence)
    }
}
