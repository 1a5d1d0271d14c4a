extension Variable {
    /// mean((self - target)^2) over all elements, as PyTorch's `F.mse_loss` with the default
    /// mean reduction. Gradients flow to both sides (the reconstruction losses need the
    /// target side too when it is an encoder feature).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func meanSquaredError(to target: Variable) throws -> Variable {
        guard shape == target.shape else {
            throw TensorError.shapeMismatch(op: "meanSquaredError", expected: "target \(shape)", actual: target.shape)
        }
        guard value.count > 0 else { throw TensorError.shapeMismatch(op: "meanSquaredError", expected: "at least one element", actual: shape) }
        let count = value.count
        var difference = value.scalars
        var total: Scalar = 0
        target.value.scalars.withUnsafeBufferPointer { t in
            for i in 0..<count { difference[i] -= t[i]; total += difference[i] * difference[i] }
        }
        let inputShape = shape
        return Variable.record(Tensor(total / Scalar(count)), inputs: [self, target]) { [input = node, target = target.node] dy in
            let factor = 2 * dy.scalars[0] / Scalar(count)
            let gradient = Tensor(uncheckedShape: inputShape, scalars: difference.map { $0 * factor })
            if input.requiresGradient { input.accumulateGradient(gradient) }
            if target.requiresGradient { target.accumulateGradient(Tensor(uncheckedShape: inputShape, scalars: gradient.scalars.map { -$0 })) }
        }
    }
}
