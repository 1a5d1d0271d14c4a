import Distributed
import NeuralNetworks

/// Puts a ``SynchronizedBatchNorm`` in place of every ``BatchNorm`` in `sequential` (and in
/// the sequentials it holds). Each shares the replaced layer's parameters and buffers, so the
/// optimizer already made for the model and its checkpoints are unchanged.
func synchronizeBatchNorm(in sequential: Sequential<Float>, communicator: Communicator) throws {
    for (index, layer) in sequential.layers.enumerated() {
        if let batchNorm = layer as? BatchNorm<Float> {
            try sequential.replaceLayer(at: index, with: SynchronizedBatchNorm(sharing: batchNorm, communicator: communicator))
        } else if let inner = layer as? Sequential<Float> {
            try synchronizeBatchNorm(in: inner, communicator: communicator)
        }
    }
}
