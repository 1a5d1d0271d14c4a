/// Layers applied in order. Children are named by their index ("0", "1", ...) as in
/// PyTorch's `nn.Sequential`, so `features.3.weight` means the same in both.
public final class Sequential<Scalar: TensorScalar>: Layer {
    public private(set) var layers: [any Layer<Scalar>]

    public init(_ layers: [any Layer<Scalar>]) { self.layers = layers }

    public func append(_ layer: any Layer<Scalar>) { layers.append(layer) }

    /// Replaces the layer at `index`: for example a batch norm by a synchronised one that
    /// shares its parameters (a data-parallel run), so optimizers and checkpoints still see them.
    /// - Throws: for an index outside the layers.
    public func replaceLayer(at index: Int, with layer: any Layer<Scalar>) throws {
        guard layers.indices.contains(index) else {
            throw TensorError.invalidArgument(op: "Sequential.replaceLayer", message: "index \(index) is not one of 0..<\(layers.count)")
        }
        layers[index] = layer
    }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try layers.reduce(input) { try $1($0) }
    }

    public var children: [(name: String, layer: any Layer<Scalar>)] { layers.enumerated().map { (String($0.offset), $0.element) } }
}

/// Runs several branches on the same input and concatenates their outputs along the
/// feature axis (axis 1). Children are named by the given names.
public final class ParallelConcatenation<Scalar: TensorScalar>: Layer {
    public let branches: [(name: String, layer: any Layer<Scalar>)]

    public init(_ branches: [(name: String, layer: any Layer<Scalar>)]) { self.branches = branches }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try Variable.concatenate(branches.map { try $0.layer(input) }, alongAxis: 1)
    }

    public var children: [(name: String, layer: any Layer<Scalar>)] { branches }
}
