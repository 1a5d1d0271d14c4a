/// A network that exposes named intermediate features, for the perceptual loss.
public protocol FeatureExtractor<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar
    /// The features named `names`, computed from `input` in one forward pass.
    func features(_ input: Variable<Scalar>, named names: [String]) throws -> [String: Variable<Scalar>]
}

/// The reconstruction loss of eq. 5: lambda_pixel * ||xhat - x||^2 plus, for each chosen
/// layer l of a frozen network C, w_l * ||C_l(xhat) - C_l(x)||^2 (each a mean over
/// elements). The paper uses C = the baseline classifier, layers Conv3, Conv4 and Conv5
/// with weights {100, 0.1, 0.001}.
///
/// C is frozen: its parameters get no gradient, but the gradient reaches `xhat` through it.
/// The target features C(x) are computed without recording.
public struct PerceptualLoss<Network: FeatureExtractor> {
    public let network: Network
    public var pixelWeight: Double
    public var layerWeights: [(name: String, weight: Double)]
    /// `.none` gives one value per sample (each term's per-sample mean).
    public var reduction: Reduction

    /// - Throws: `TensorError.invalidArgument` (Tensors) for a weight that is negative or not finite.
    public init(network: Network, pixelWeight: Double = 1, layerWeights: [(name: String, weight: Double)], reduction: Reduction = .mean) throws {
        try validateWeights([pixelWeight] + layerWeights.map(\.weight), what: "weights", op: "PerceptualLoss")
        self.network = network
        self.pixelWeight = pixelWeight
        self.layerWeights = layerWeights
        self.reduction = reduction
    }

    public func callAsFunction(_ reconstruction: Variable<Network.Scalar>, _ target: Variable<Network.Scalar>) throws -> Variable<Network.Scalar> {
        typealias S = Network.Scalar
        let names = layerWeights.map(\.name)
        let targetFeatures = try withoutGradient { try network.features(target, named: names) }
        let reconstructionFeatures = try network.features(reconstruction, named: names)
        let squaredError = MeanSquaredErrorLoss(reduction: reduction)
        var total = try squaredError(reconstruction, target).scaled(by: S(pixelWeight))
        for (name, weight) in layerWeights {
            guard let a = reconstructionFeatures[name], let b = targetFeatures[name] else {
                throw TensorError.invalidArgument(op: "PerceptualLoss", message: "the network has no feature named \(name)")
            }
            total = try total + squaredError(a, b.detached()).scaled(by: S(weight))
        }
        return total
    }
}
