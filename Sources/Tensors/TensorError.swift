/// Everything a caller can get wrong about tensors, files and settings.
///
/// Each case names the operation (or file) and says what was expected and what was found,
/// so the message alone is enough to fix the call.
public enum TensorError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An argument's shape does not fit the operation.
    case shapeMismatch(op: String, expected: String, actual: [Int])
    /// A setting is out of range (a negative stride, a dropout rate of 1.5, ...).
    case invalidArgument(op: String, message: String)
    /// Backward was asked of a tensor that does not take part in a graph.
    case notDifferentiable(op: String, message: String)
    /// A file could not be read or written, or does not follow its format.
    case malformedFile(path: String, message: String)
    /// A file holds no tensor under the requested name.
    case missingTensor(name: String, path: String)
    /// A tensor holds NaN or infinite values where only finite ones are valid (weights
    /// about to be saved or just loaded). `context` says where: a file or a training step.
    case nonFiniteValues(tensor: String, count: Int, context: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, expected, actual):
            return "\(op): expected shape \(expected), got \(actual)"
        case let .invalidArgument(op, message):
            return "\(op): \(message)"
        case let .notDifferentiable(op, message):
            return "\(op): \(message)"
        case let .malformedFile(path, message):
            return "\(path): \(message)"
        case let .missingTensor(name, path):
            return "\(path): no tensor named \"\(name)\""
        case let .nonFiniteValues(tensor, count, context):
            return "\(context): \(tensor) holds \(count) non-finite value\(count == 1 ? "" : "s") (NaN or infinity)"
        }
    }
}
