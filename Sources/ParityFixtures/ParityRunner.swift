import Foundation
import Tensors
import NeuralNetworks
import ExpressionRecognition

/// Runs the case a fixture file describes (`__metadata__["op"]`) with the library and
/// compares every `out/…` and `grad/…` tensor in the file, element by element.
///
/// Shapes come from the file's tensors and settings from its metadata, so files of the
/// same schema with other shapes, seeds or settings run unchanged.
public enum ParityRunner {
    public static let knownOps = [
        "conv2d", "conv_transpose2d", "batch_norm2d_train", "max_pool2d", "leaky_relu", "tanh", "log_softmax",
        "focal", "cross_entropy", "symmetric_kl_from_logits", "sgd", "rmsprop", "adam", "adamw", "multiscale_fer_train_step",
    ]

    /// The op named in the file's metadata.
    public static func op(of file: SafeTensorsFile) throws -> String {
        try FixtureReader<Double>(file: file).string("op")
    }

    /// Computes the case in scalar type `S` and compares each expected tensor.
    /// - Throws: for an unknown op, missing inputs or metadata, or shapes the op rejects.
    public static func run<S: TensorScalar>(_ file: SafeTensorsFile, as _: S.Type, tolerance: ParityTolerance? = nil) throws -> [ParityLine] {
        let reader = FixtureReader<S>(file: file)
        let op = try reader.string("op")
        let computed: [String: Tensor<S>]
        switch op {
        case "conv2d", "conv_transpose2d": computed = try convolution(reader, transposed: op == "conv_transpose2d")
        case "batch_norm2d_train": computed = try batchNorm(reader)
        case "max_pool2d", "leaky_relu", "tanh", "log_softmax": computed = try unary(reader, op: op)
        case "focal", "cross_entropy": computed = try classificationLoss(reader, op: op)
        case "symmetric_kl_from_logits": computed = try symmetricKL(reader)
        case "sgd", "rmsprop", "adam", "adamw": computed = try optimizer(reader, op: op)
        case "multiscale_fer_train_step": computed = try classifierStep(reader)
        default: throw ParityError.unknownOp(path: file.path, op: op)
        }
        let tolerance = tolerance ?? .forScalar(S.self)
        let expectedNames = file.names.filter { $0.hasPrefix("out/") || $0.hasPrefix("grad/") }
        guard !expectedNames.isEmpty else {
            throw TensorError.malformedFile(path: file.path, message: "no out/ or grad/ tensors to compare")
        }
        return try expectedNames.map { name in
            compare(name, actual: computed[name], expected: try file.tensor(name, as: Double.self), tolerance: tolerance)
        }
    }

    /// Runs `backward` with the fixture's upstream gradient `dout`.
    private static func backward<S>(_ y: Variable<S>, _ reader: FixtureReader<S>) throws {
        try y.backward(upstream: reader.tensor("dout"))
    }

    private static func convolution<S>(_ r: FixtureReader<S>, transposed: Bool) throws -> [String: Tensor<S>] {
        let x = try r.variable("in/x", requiresGradient: true)
        let w = try r.variable("param/weight", requiresGradient: true)
        let b = r.file.contains("param/bias") ? try r.variable("param/bias", requiresGradient: true) : nil
        let stride = try r.integer("stride", default: 1), padding = try r.integer("padding", default: 0)
        let y = transposed
            ? try x.convTranspose2d(weight: w, bias: b, stride: stride, padding: padding, outputPadding: r.integer("output_padding", default: 0))
            : try x.conv2d(weight: w, bias: b, stride: stride, padding: padding)
        try backward(y, r)
        var result: [String: Tensor<S>] = ["out/y": y.value]
        result["grad/x"] = x.grad
        result["grad/weight"] = w.grad
        result["grad/bias"] = b?.grad
        return result
    }

    private static func batchNorm<S>(_ r: FixtureReader<S>) throws -> [String: Tensor<S>] {
        let x = try r.variable("in/x", requiresGradient: true)
        let w = try r.variable("param/weight", requiresGradient: true), b = try r.variable("param/bias", requiresGradient: true)
        let C = x.shape.count > 1 ? x.shape[1] : 0
        // The generator starts the running statistics at PyTorch's defaults (mean 0, variance 1).
        var mean = Tensor<S>(zeros: [C]), variance = Tensor<S>(repeating: 1, shape: [C])
        let y = try x.batchNorm(weight: w, bias: b, runningMean: &mean, runningVariance: &variance, training: true,
                                momentum: S(r.number("momentum_torch", default: 0.1)), epsilon: S(r.number("eps", default: 1e-5)))
        try backward(y, r)
        var result: [String: Tensor<S>] = ["out/y": y.value, "out/running_mean": mean, "out/running_var": variance]
        result["grad/x"] = x.grad
        result["grad/weight"] = w.grad
        result["grad/bias"] = b.grad
        return result
    }

    private static func unary<S>(_ r: FixtureReader<S>, op: String) throws -> [String: Tensor<S>] {
        let x = try r.variable("in/x", requiresGradient: true)
        let y: Variable<S>
        switch op {
        case "max_pool2d":
            let kernel = try r.integer("kernel")
            y = try x.maxPool2d(kernelSize: kernel, stride: r.integer("stride", default: kernel))
        case "leaky_relu": y = x.leakyRelu(negativeSlope: S(try r.number("slope", default: 0.01)))
        case "tanh": y = x.tanh()
        default:
            let dim = try r.integer("dim", default: x.shape.count - 1)
            guard dim == x.shape.count - 1 || dim == -1 else {
                throw ParityError.badMetadata(path: r.file.path, key: "dim", message: "log_softmax is implemented along the last axis, got dim \(dim)")
            }
            y = try x.logSoftmax()
        }
        try backward(y, r)
        var result: [String: Tensor<S>] = ["out/y": y.value]
        result["grad/x"] = x.grad
        return result
    }

    private static func reduction(_ r: FixtureReader<some TensorScalar>) throws -> Reduction {
        let name = r.file.metadata["reduction"] == nil ? "none" : try r.string("reduction")
        guard let reduction = Reduction(rawValue: name) else {
            throw ParityError.badMetadata(path: r.file.path, key: "reduction", message: "unknown reduction \(name)")
        }
        return reduction
    }

    private static func classificationLoss<S>(_ r: FixtureReader<S>, op: String) throws -> [String: Tensor<S>] {
        let logits = try r.variable("in/logits", requiresGradient: true)
        let labels = try r.labels("in/labels")
        // Optional: label smoothing and class weights (the project's own fixtures, Tests/Fixtures).
        let smoothing = try r.number("label_smoothing", default: 0)
        let weights = r.file.contains("in/class_weights") ? try r.tensor("in/class_weights").scalars.map { Double($0) } : nil
        let loss = op == "focal"
            ? try FocalLoss(gamma: r.number("gamma", default: 2), classWeights: weights, labelSmoothing: smoothing, reduction: reduction(r))(logits, labels: labels)
            : try CrossEntropyLoss(classWeights: weights, labelSmoothing: smoothing, reduction: reduction(r))(logits, labels: labels)
        try backward(loss, r)
        var result: [String: Tensor<S>] = ["out/loss": loss.value]
        result["grad/logits"] = logits.grad
        return result
    }

    private static func symmetricKL<S>(_ r: FixtureReader<S>) throws -> [String: Tensor<S>] {
        let p = try r.variable("in/logits_p", requiresGradient: true), q = try r.variable("in/logits_q", requiresGradient: true)
        let divergence = try SymmetricKLDivergence(reduction: .none)(p, q)
        try backward(divergence, r)
        var result: [String: Tensor<S>] = ["out/div": divergence.value]
        result["grad/logits_p"] = p.grad
        result["grad/logits_q"] = q.grad
        return result
    }

    private static func optimizer<S>(_ r: FixtureReader<S>, op: String) throws -> [String: Tensor<S>] {
        let parameter = try r.variable("param/p0", requiresGradient: true)
        let named = [(name: "p", variable: parameter)]
        let steps = try r.integer("steps", default: r.file.names.filter { $0.hasPrefix("in/grad") }.count)
        let lr = try r.number("lr"), weightDecay = try r.number("weight_decay", default: 0)
        let optimizer: any Optimizer<S>
        switch op {
        case "sgd":
            optimizer = try SGD(parameters: named, learningRate: lr, momentum: r.number("momentum", default: 0), dampening: r.number("dampening", default: 0),
                                weightDecay: weightDecay, nesterov: r.bool("nesterov", default: false))
        case "rmsprop":
            optimizer = try RMSprop(parameters: named, learningRate: lr, alpha: r.number("alpha", default: 0.99), epsilon: r.number("eps", default: 1e-8),
                                    weightDecay: weightDecay, momentum: r.number("momentum", default: 0), centered: r.bool("centered", default: false))
        default:
            optimizer = try Adam(groups: [ParameterGroup(named, learningRate: lr, weightDecay: weightDecay)],
                                 beta1: r.number("beta1", default: 0.9), beta2: r.number("beta2", default: 0.999), epsilon: r.number("eps", default: 1e-8),
                                 amsgrad: r.bool("amsgrad", default: false), decoupledWeightDecay: op == "adamw")
        }
        var result: [String: Tensor<S>] = [:]
        for step in 0..<steps {
            parameter.grad = try r.tensor("in/grad\(step)")
            try optimizer.step()
            result["out/p\(step + 1)"] = parameter.value
        }
        return result
    }

    private static func classifierStep<S>(_ r: FixtureReader<S>) throws -> [String: Tensor<S>] {
        let x = try r.variable("in/x")
        let labels = try r.labels("in/labels")
        let classCount = try r.file.tensor("param/fuse.weight", as: Double.self).shape.first ?? 7
        let model = try MultiScaleClassifier<S>(side: r.integer("side"), width: r.number("width"), classCount: classCount,
                                                dropoutRate: r.number("dropout", default: 0))
        try loadState(into: model, from: r)
        model.isTraining = true
        let logits = try model.logits(x)
        let focal = try FocalLoss(gamma: 2)
        let loss = try logits.all.map { try focal($0, labels: labels) }.reduce(nil as Variable<S>?) { total, term in try total.map { try $0 + term } ?? term }!
        try loss.backward()
        var result: [String: Tensor<S>] = [
            "out/logits_ori": logits.ori.value, "out/logits_half": logits.half.value, "out/logits_fused": logits.fused.value,
            "out/loss": try loss.value.reshaped(to: [1]),
        ]
        for (name, parameter) in model.namedParameters { result["grad/\(name)"] = parameter.grad }
        return result
    }

    /// Loads every parameter and buffer of `model` from `param/<name>`; every `param/` tensor
    /// of the file must be used and every state entry of the model found.
    static func loadState<S>(into model: some Layer<S>, from r: FixtureReader<S>) throws {
        let state = model.namedState
        for (name, variable) in state {
            let key = "param/\(name)"
            guard r.file.contains(key) else { throw TensorError.missingTensor(name: key, path: r.file.path) }
            let tensor = try r.tensor(key)
            guard tensor.shape == variable.shape else {
                throw TensorError.shapeMismatch(op: "load \(key) from \(r.file.path)", expected: "\(variable.shape)", actual: tensor.shape)
            }
            variable.value = tensor
        }
        let known = Set(state.map { "param/\($0.name)" })
        if let extra = r.file.names.first(where: { $0.hasPrefix("param/") && !known.contains($0) }) {
            throw TensorError.malformedFile(path: r.file.path, message: "\(extra) matches no parameter of the model")
        }
    }
}
