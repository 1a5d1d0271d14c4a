extension Variable {
    /// The same elements under a new shape with the same count; the gradient is reshaped back.
    public func reshaped(to newShape: [Int]) throws -> Variable {
        let y = try value.reshaped(to: newShape)
        let oldShape = shape
        return Variable.record(y, inputs: [self]) { [input = node] dy in
            input.accumulateGradient(Tensor(uncheckedShape: oldShape, scalars: dy.scalars))
        }
    }

    /// Keeps the first axis and merges the rest: (N, C, H, W) -> (N, C*H*W), as `torch.flatten(x, 1)`.
    public func flattened() throws -> Variable {
        guard let n = shape.first else {
            throw TensorError.shapeMismatch(op: "flatten", expected: "rank at least 1", actual: shape)
        }
        return try reshaped(to: [n, shape.dropFirst().reduce(1, *)])
    }
}
