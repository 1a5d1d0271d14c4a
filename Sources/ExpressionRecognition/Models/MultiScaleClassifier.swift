import NeuralNetworks

/// One branch of the two-branch classifier (Table II): five convolution stages with batch
/// norm and ReLU, 2x2 max pooling after stages 1-4, a 1x1 Conv5 with dropout, a fully
/// connected feature layer and a class head. Names match the peer's `Branch`
/// (`features.N.*`, `fc.*`, `head.*`).
public final class ClassifierBranch<Scalar: TensorScalar>: Layer {
    public let features: Sequential<Scalar>
    public let fc: Linear<Scalar>
    public let head: Linear<Scalar>
    /// Where in `features` the named stages end (the ReLU after Conv3-b, Conv4 and Conv5),
    /// recorded while the stages are built, so no index is written by hand.
    public let featureTaps: [String: Int]

    /// - Parameters:
    ///   - side: input height and width, at least 16. The four 2x2 pools floor odd sizes
    ///     (PyTorch's default), so the fc layer sees side / 16 (rounded down) squared: the
    ///     paper's Half branch goes 56 -> 28 -> 14 -> 7 -> 3.
    ///   - featureSize: width of the fc layer (64 for Ori, 32 for Half).
    ///   - classCount: outputs of the class head.
    ///   - width: channel multiplier; channel counts are max(1, Int(c * width)).
    ///   - dropoutRate: dropout after Conv5, in [0, 1); paper: 0.5.
    ///   - random: the stream the dropout masks are drawn from.
    ///   - generator: the source of the initial weights.
    public init(side: Int, featureSize: Int, classCount: Int, width: Double, dropoutRate: Double,
                random: RandomStream, using generator: inout SeededGenerator) throws {
        guard side >= 16 else {
            throw TensorError.invalidArgument(op: "ClassifierBranch", message: "side must be at least 16 (four 2x2 pools), got \(side)")
        }
        guard width > 0 else { throw TensorError.invalidArgument(op: "ClassifierBranch", message: "width must be positive, got \(width)") }
        try MemoryBudget.check("width", width, atMost: MemoryBudget.maximumWidth, op: "ClassifierBranch")
        try MemoryBudget.check("side", Double(side), atMost: Double(MemoryBudget.maximumSide), op: "ClassifierBranch")
        func w(_ c: Int) -> Int { max(1, Int(Double(c) * width)) }
        var layers: [any Layer<Scalar>] = []
        func convBNReLU(_ input: Int, _ output: Int, _ kernel: Int) {
            layers.append(Conv2D(inputChannels: input, outputChannels: output, kernelSize: kernel, padding: kernel / 2, using: &generator))
            layers.append(BatchNorm(featureCount: output))
            layers.append(Activation(.relu))
        }
        var taps: [String: Int] = [:]
        func tap(_ name: String) { taps[name] = layers.count - 1 }
        convBNReLU(1, w(64), 5); convBNReLU(w(64), w(64), 5); layers.append(MaxPool2D(kernelSize: 2))
        convBNReLU(w(64), w(128), 3); convBNReLU(w(128), w(128), 3); layers.append(MaxPool2D(kernelSize: 2))
        convBNReLU(w(128), w(256), 3); convBNReLU(w(256), w(256), 3); tap("conv3"); layers.append(MaxPool2D(kernelSize: 2))
        convBNReLU(w(256), w(512), 3); tap("conv4"); layers.append(MaxPool2D(kernelSize: 2))
        convBNReLU(w(512), w(128), 1); tap("conv5"); layers.append(try Dropout(rate: dropoutRate, random: random))
        featureTaps = taps
        features = Sequential(layers)
        let s = side / 16  // floor(floor(side / 2) / 2) ... = floor(side / 16), the peer's side // 16
        fc = Linear(inputSize: w(128) * s * s, outputSize: featureSize, using: &generator)
        head = Linear(inputSize: featureSize, outputSize: classCount, using: &generator)
    }

    /// The fc features and the class logits.
    public func forward(_ input: Variable<Scalar>) throws -> (features: Variable<Scalar>, logits: Variable<Scalar>) {
        let f = try fc(features(input).flattened())
        return (f, try head(f))
    }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> { try forward(input).logits }

    /// Runs `features` up to the deepest requested tap and returns the tapped outputs.
    func taps(_ input: Variable<Scalar>, named names: [String]) throws -> [String: Variable<Scalar>] {
        let wanted = try names.map { name -> (String, Int) in
            guard let index = featureTaps[name] else {
                throw TensorError.invalidArgument(op: "ClassifierBranch.features", message: "unknown feature \(name); known: \(featureTaps.keys.sorted())")
            }
            return (name, index)
        }
        var result: [String: Variable<Scalar>] = [:]
        var h = input
        let last = wanted.map(\.1).max() ?? -1
        for (index, layer) in features.layers.enumerated() where index <= last {
            h = try layer(h)
            for (name, tap) in wanted where tap == index { result[name] = h }
        }
        return result
    }
}

/// The paper's two-branch multi-scale classifier (Section IV-B, Table II).
///
/// "Ori" sees the side x side image, "Half" the 2x2 max-pooled image; each has its own
/// class head, and `fuse` classifies the concatenated 64 + 32 features. The training loss
/// is the equal-weight sum of the three heads' losses. Parameter names equal the peer's
/// (`ori.*`, `half_branch.*`, `fuse.*`), so PyTorch weights load by name.
public final class MultiScaleClassifier<Scalar: TensorScalar>: Layer, FeatureExtractor {
    public let ori: ClassifierBranch<Scalar>
    public let halfBranch: ClassifierBranch<Scalar>
    public let fuse: Linear<Scalar>
    public let side: Int
    /// The stream that the dropout layers draw from (save it to resume exactly).
    public let random: RandomStream

    /// The three heads' logits, each (N, classCount).
    public struct Logits {
        public let ori: Variable<Scalar>, half: Variable<Scalar>, fused: Variable<Scalar>
        public var all: [Variable<Scalar>] { [ori, half, fused] }
    }

    /// - Parameters:
    ///   - side: input side, at least 32 (the half branch, at side / 2, pools four more
    ///     times); paper: 112.
    ///   - width: channel multiplier; paper: 1.
    ///   - classCount: paper: 7.
    ///   - dropoutRate: after Conv5; paper: 0.5.
    ///   - seed: seeds the initial weights and the dropout stream.
    public init(side: Int = 112, width: Double = 1, classCount: Int = 7, dropoutRate: Double = 0.5, seed: UInt64 = 0) throws {
        guard side >= 32 else {
            throw TensorError.invalidArgument(op: "MultiScaleClassifier", message: "side must be at least 32, got \(side)")
        }
        guard classCount >= 2 else { throw TensorError.invalidArgument(op: "MultiScaleClassifier", message: "need at least 2 classes, got \(classCount)") }
        // Bounds before any allocation: a huge size must be an error, not an abort.
        try MemoryBudget.check("side", Double(side), atMost: Double(MemoryBudget.maximumSide), op: "MultiScaleClassifier")
        try MemoryBudget.check("width", width.isNaN ? .infinity : width, atMost: MemoryBudget.maximumWidth, op: "MultiScaleClassifier")
        try MemoryBudget.check("the class count", Double(classCount), atMost: Double(MemoryBudget.maximumClassCount), op: "MultiScaleClassifier")
        try MemoryBudget.checkFits(MemoryBudget.classifierTrainingBytes(side: side, width: width, classCount: classCount, batchSize: 0),
                                   what: "the classifier's parameters at side \(side), width \(width)", advice: "lower the side or the width",
                                   op: "MultiScaleClassifier")
        var generator = SeededGenerator(seed: seed)
        random = RandomStream(seed: seed &+ 1)
        ori = try ClassifierBranch(side: side, featureSize: 64, classCount: classCount, width: width, dropoutRate: dropoutRate, random: random, using: &generator)
        halfBranch = try ClassifierBranch(side: side / 2, featureSize: 32, classCount: classCount, width: width, dropoutRate: dropoutRate, random: random, using: &generator)
        fuse = Linear(inputSize: 96, outputSize: classCount, using: &generator)
        self.side = side
    }

    /// - Parameter input: (N, 1, side, side) grayscale images.
    public func logits(_ input: Variable<Scalar>) throws -> Logits {
        guard input.shape.count == 4, input.shape[1] == 1, input.shape[2] == side, input.shape[3] == side else {
            throw TensorError.shapeMismatch(op: "MultiScaleClassifier", expected: "(N, 1, \(side), \(side))", actual: input.shape)
        }
        let (oriFeatures, oriLogits) = try ori.forward(input)
        let (halfFeatures, halfLogits) = try halfBranch.forward(input.maxPool2d(kernelSize: 2))
        let fused = try fuse(Variable.concatenate([oriFeatures, halfFeatures], alongAxis: 1))
        return Logits(ori: oriLogits, half: halfLogits, fused: fused)
    }

    /// The fused head's logits (the model's prediction).
    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> { try logits(input).fused }

    /// Features of the Ori branch after Conv3-b, Conv4 and Conv5 ("conv3", "conv4",
    /// "conv5"), for the perceptual loss (eq. 5).
    public func features(_ input: Variable<Scalar>, named names: [String]) throws -> [String: Variable<Scalar>] {
        try ori.taps(input, named: names)
    }

    /// The peer's names (`half_branch`, not the property's `halfBranch`).
    public var children: [(name: String, layer: any Layer<Scalar>)] { [("ori", ori), ("half_branch", halfBranch), ("fuse", fuse)] }
}
