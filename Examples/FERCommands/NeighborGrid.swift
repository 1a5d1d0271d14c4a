import ExpressionRecognition
import NeuralNetworks

/// The rows of the paper's Fig. 3 for `images` (each side x side): the original, its
/// reconstruction (evaluation mode) and `count` semantic neighbours drawn from `generator`.
func neighborGridRows(autoencoder: AsymmetricAutoencoder<Float>, images: [[Float]], generator: SemanticNeighborGenerator<Float>,
                      count: Int) throws -> [(original: [Float], reconstruction: [Float], neighbors: [[Float]])] {
    let side = autoencoder.side, plane = side * side
    let batch = Variable(try Tensor<Float>(shape: [images.count, 1, side, side], scalars: images.flatMap { $0 }))
    let reconstructions = try autoencoder.evaluating { try autoencoder(batch) }.value.scalars
    let draws = try (0..<count).map { _ in try generator.neighbors(of: batch).value.scalars }
    return images.indices.map { i in
        (original: images[i], reconstruction: Array(reconstructions[(i * plane)..<((i + 1) * plane)]),
         neighbors: draws.map { Array($0[(i * plane)..<((i + 1) * plane)]) })
    }
}
