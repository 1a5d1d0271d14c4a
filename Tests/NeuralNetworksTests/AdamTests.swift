import Testing
import NeuralNetworks
import Tensors

/// Adam and AdamW beyond the PyTorch fixtures (ParityTests): state saved and restored
/// mid-run gives the same steps, and bad settings or state are errors.
@Suite("Adam and AdamW")
struct AdamTests {
    func run(steps: Int, restartAfter: Int?, decoupled: Bool) throws -> Tensor<Double> {
        var g = SeededGenerator(seed: 8)
        let p = Variable(Tensor<Double>(randomNormal: [4, 2], using: &g), requiresGradient: true)
        let grads = (0..<steps).map { _ in Tensor<Double>(randomNormal: [4, 2], using: &g) }
        func make() throws -> Adam<Double> {
            try Adam(groups: [ParameterGroup([("p", p)], learningRate: 0.05, weightDecay: 0.1)], amsgrad: true, decoupledWeightDecay: decoupled)
        }
        var optimizer = try make()
        for (i, grad) in grads.enumerated() {
            if i == restartAfter {
                let saved = optimizer.state
                optimizer = try make()
                try optimizer.loadState(saved)
            }
            p.grad = grad
            try optimizer.step()
        }
        return p.value
    }

    @Test("A restored optimizer continues exactly", arguments: [false, true])
    func stateRoundTrip(decoupled: Bool) throws {
        #expect(try run(steps: 5, restartAfter: 3, decoupled: decoupled) == run(steps: 5, restartAfter: nil, decoupled: decoupled))
    }

    @Test("State names are PyTorch's, with the step count")
    func stateNames() throws {
        let p = Variable(Tensor<Double>([1, 2]), requiresGradient: true)
        let adam = try Adam(parameters: [("w", p)])
        p.grad = Tensor([0.5, -0.5])
        try adam.step()
        #expect(Set(adam.state.keys) == ["exp_avg/w", "exp_avg_sq/w", "step/w"])
        #expect(adam.state["step/w"]?.scalars == [1])
    }

    @Test("Bad settings and bad state throw")
    func errors() throws {
        let p = Variable(Tensor<Double>([1, 2]), requiresGradient: true)
        #expect(throws: TensorError.self) { try Adam(parameters: [("w", p)], beta1: 1) }
        #expect(throws: TensorError.self) { try Adam(parameters: [("w", p)], beta2: -0.1) }
        #expect(throws: TensorError.self) { try Adam(parameters: [("w", p)], epsilon: -1) }
        #expect(throws: TensorError.self) { try Adam(parameters: [("w", p)], learningRate: -1) }
        #expect(throws: TensorError.self) { try Adam(adamW: [("w", p)], weightDecay: -0.1) }
        let adam = try Adam(parameters: [("w", p)])
        #expect(throws: TensorError.self) { try adam.loadState(["exp_avg/w": Tensor([0, 0]), "exp_avg_sq/w": Tensor([0, 0])]) }
        #expect(throws: TensorError.self) { try adam.loadState(["exp_avg/w": Tensor([0, 0]), "step/w": Tensor([1, 2])]) }
        #expect(throws: TensorError.self) { try adam.loadState(["momentum_buffer/w": Tensor([0, 0]), "step/w": Tensor([1])]) }
    }
}
