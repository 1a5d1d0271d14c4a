/// A stability figure none of the paper's peers report: under semantic-neighbour
/// perturbation of the test set, how often the predicted class changes, and the mean
/// symmetric KL between the predictions.
public struct PredictionStability: Sendable, Equatable, Codable {
    public private(set) var samples = 0, flips = 0
    public private(set) var divergenceSum = 0.0

    public init() {}

    public mutating func add(predictions: [Int], neighborPredictions: [Int], divergences: [Double]) {
        for i in predictions.indices {
            samples += 1
            if predictions[i] != neighborPredictions[i] { flips += 1 }
            divergenceSum += divergences[i]
        }
    }

    public var flipRate: Double { samples == 0 ? 0 : Double(flips) / Double(samples) }
    public var meanDivergence: Double { samples == 0 ? 0 : divergenceSum / Double(samples) }
}
