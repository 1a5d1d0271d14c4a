import Foundation
import Tensors

extension Layer {
    /// Runs `body` in evaluation mode (running statistics, no dropout) and without
    /// recording gradients, then restores the mode: what inference needs, in one call.
    ///
    ///     let logits = try model.evaluating { try model(images) }
    public func evaluating<R>(_ body: () throws -> R) rethrows -> R {
        let wasTraining = isTraining
        isTraining = false
        defer { isTraining = wasTraining }
        return try withoutGradient(body)
    }

    /// Applies the layer to a plain tensor in its current mode, recording nothing.
    public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try withoutGradient { try self(Variable(input)).value }
    }

    /// Writes the parameters and buffers as safetensors under PyTorch's names (a
    /// `state_dict` that `load_state_dict` accepts), atomically.
    /// - Throws: when a tensor is not finite or the file cannot be written.
    public func save(to url: URL) throws {
        var checkpoint = Checkpoint<Scalar>()
        checkpoint.store(self)
        try checkpoint.write(to: url)
    }

    /// Loads parameters and buffers saved by ``save(to:)`` (or by PyTorch under the same
    /// names). Every tensor of the layer must be in the file, with its shape.
    /// - Throws: for a missing, corrupt or truncated file, a missing name or a shape that differs.
    public func load(from url: URL) throws {
        try Checkpoint<Scalar>(contentsOf: url).restore(self)
    }
}

extension Optimizer {
    /// One optimisation step: clears the gradients, evaluates `loss`, back-propagates it
    /// and updates the parameters. Returns the loss's value.
    ///
    ///     let loss = try optimizer.minimize { try CrossEntropyLoss()(model(x), labels: y) }
    @discardableResult
    public func minimize(_ loss: () throws -> Variable<Scalar>) throws -> Scalar {
        zeroGradients()
        let value = try loss()
        let scalar = try value.item
        try value.backward()
        try step()
        return scalar
    }
}
