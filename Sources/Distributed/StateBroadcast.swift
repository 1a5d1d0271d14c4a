import NeuralNetworks
import Tensors

extension Communicator {
    /// Copies every parameter and buffer of `layer` from rank `root` into every other rank's
    /// model, so all ranks start a data-parallel run from the same weights (PyTorch's DDP does
    /// the same when it wraps a model). Every rank must pass a model of the same layout.
    /// - Throws: ``MPIError/ranksDisagree(operation:message:)`` when the ranks' models have
    ///   different numbers or sizes of tensors (nothing is copied then), a root outside the
    ///   ranks, or a failed MPI call.
    public func broadcastState<L: Layer>(of layer: L, from root: Int = 0) throws where L.Scalar: MPIScalar {
        guard (0..<size).contains(root) else {
            throw MPIError.invalidArgument(operation: "broadcastState", message: "root \(root) is not one of the ranks 0..<\(size)")
        }
        let state = layer.namedState
        try requireSameEverywhere([Double(state.count)], what: "the number of parameters and buffers", operation: "broadcastState")
        try requireSameEverywhere(state.map { Double($0.variable.value.count) }, what: "a tensor's element count", operation: "broadcastState")
        for (_, variable) in state {
            try variable.value.scalars.withUnsafeMutableBufferPointer { try broadcast($0, from: root) }
        }
    }
}
