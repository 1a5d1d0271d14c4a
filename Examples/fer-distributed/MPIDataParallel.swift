import Distributed
import ExpressionRecognition
import NeuralNetworks

/// The training code's ``DataParallel`` over MPI's world communicator: sums and broadcasts
/// through ``Communicator``, gradients through ``GradientAverager`` (1 MiB buckets).
final class MPIDataParallel: DataParallel {
    let world: Communicator
    private let averager: GradientAverager<Float>

    init(world: Communicator) throws {
        self.world = world
        averager = try GradientAverager<Float>(communicator: world)
    }

    var rank: Int { world.rank }
    var processCount: Int { world.size }

    func sum(_ values: [Double]) throws -> [Double] {
        var result = values
        try world.allReduce(&result, .sum)
        return result
    }

    func averageGradients(of parameters: [(name: String, variable: Variable<Float>)]) throws {
        try averager.averageGradients(of: parameters)
    }

    /// The layout is checked first (as ``Communicator/broadcastState(of:from:)`` does), so
    /// mismatched models throw the same error everywhere instead of reaching MPI.
    func broadcast(state: [(name: String, variable: Variable<Float>)]) throws {
        try world.requireSameEverywhere([Double(state.count)], what: "the number of parameters and buffers", operation: "broadcast")
        try world.requireSameEverywhere(state.map { Double($0.variable.value.count) }, what: "a tensor's element count", operation: "broadcast")
        for (_, variable) in state {
            try variable.value.scalars.withUnsafeMutableBufferPointer { try world.broadcast($0, from: 0) }
        }
    }

    func barrier() throws { try world.barrier() }
}
