import Testing
import TestSupport
@testable import NeuralNetworks

@Suite("Optimizers")
struct OptimizerTests {
    /// Runs `steps` updates of a single scalar parameter with the given gradients.
    func trajectory(_ make: ([(name: String, variable: Variable<Double>)]) throws -> any Optimizer<Double>, start: Double, gradients: [Double]) throws -> [Double] {
        let p = Variable(Tensor<Double>([start]), requiresGradient: true)
        let optimizer = try make([("p", p)])
        return try gradients.map { g in
            p.grad = Tensor([g])
            try optimizer.step()
            return p.value.scalars[0]
        }
    }

    @Test func sgdNesterovDampeningAndDecayByHand() throws {
        // Nesterov, lr 0.1, momentum 0.9, wd 0.1, start 1, gradients 1 then -2:
        // step 1: g = 1 + 0.1 = 1.1, buf = 1.1, g' = 1.1 + 0.99 = 2.09, p = 1 - 0.209 = 0.791
        // step 2: g = -2 + 0.0791 = -1.9209, buf = 0.99 - 1.9209 = -0.9309, g' = -1.9209 - 0.83781 = -2.75871, p = 0.791 + 0.275871
        let nesterov = try trajectory({ try SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.1, nesterov: true) }, start: 1, gradients: [1, -2])
        #expect(abs(nesterov[0] - 0.791) < 1e-15)
        #expect(abs(nesterov[1] - 1.066871) < 1e-14)
        // Dampening 0.5: buf starts at g (undampened), then 0.9 * buf + 0.5 * g.
        let damped = try trajectory({ try SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, dampening: 0.5) }, start: 0, gradients: [1, 1])
        #expect(abs(damped[0] - -0.1) < 1e-15)
        #expect(abs(damped[1] - (-0.1 - 0.1 * 1.4)) < 1e-15)
        // Plain SGD.
        #expect(try trajectory({ try SGD(parameters: $0, learningRate: 0.5) }, start: 1, gradients: [2]) == [0])
    }

    @Test func rmspropCenteredWithMomentumByHand() throws {
        // alpha 0.5, eps 0, momentum 0.5, centered, lr 1, gradient 2 twice, start 0:
        // step 1: v = 2, a = 1, den = sqrt(2 - 1) = 1, buf = 2, p = -2
        // step 2: v = 0.5*2 + 0.5*4 = 3, a = 1.5, den = sqrt(3 - 2.25) = sqrt(0.75), buf = 1 + 2/sqrt(0.75)
        let p = try trajectory({ try RMSprop(parameters: $0, learningRate: 1, alpha: 0.5, epsilon: 0, momentum: 0.5, centered: true) }, start: 0, gradients: [2, 2])
        #expect(abs(p[0] - -2) < 1e-15)
        #expect(abs(p[1] - (-2 - (1 + 2 / 0.75.squareRoot()))) < 1e-14)
    }

    @Test func parameterGroupsUseTheirOwnRates() throws {
        let a = Variable(Tensor<Double>([1]), requiresGradient: true), b = Variable(Tensor<Double>([1]), requiresGradient: true)
        let sgd = try SGD(groups: [ParameterGroup([("a", a)], learningRate: 0.1), ParameterGroup([("b", b)], learningRate: 0.01)])
        a.grad = Tensor([1]); b.grad = Tensor([1])
        try sgd.step()
        #expect(a.value.scalars == [0.9] && b.value.scalars == [0.99])
        sgd.setLearningRate(1)
        #expect(sgd.groups.allSatisfy { $0.learningRate == 1 })
        sgd.zeroGradients()
        #expect(a.grad == nil && b.grad == nil)
        try sgd.step()  // no gradient: nothing moves
        #expect(a.value.scalars == [0.9])
    }

    /// Least squares y = 3x - 1 with a linear layer: both optimizers drive the loss down.
    @Test(arguments: ["sgd", "rmsprop"])
    func convergesOnAToyFit(kind: String) throws {
        var g = SeededGenerator(seed: 1)
        let layer = Linear<Double>(inputSize: 1, outputSize: 1, using: &g)
        let x = Tensor<Double>(randomNormal: [32, 1], using: &g)
        let y = try Variable(Tensor(x.scalars.map { 3 * $0 - 1 })).reshapedConstant([32, 1])
        let optimizer: any Optimizer<Double> = kind == "sgd"
            ? try SGD(parameters: layer.namedParameters, learningRate: 0.1, momentum: 0.9)
            : try RMSprop(parameters: layer.namedParameters, learningRate: 0.05)
        var losses: [Double] = []
        for _ in 0..<200 {
            optimizer.zeroGradients()
            let loss = try layer(Variable(x)).meanSquaredError(to: y)
            losses.append(loss.value.scalars[0])
            try loss.backward()
            try optimizer.step()
        }
        #expect(losses.last! < 1e-3 * losses.first!)
        #expect(abs(layer.weight.value.scalars[0] - 3) < 0.05 && abs(layer.bias!.value.scalars[0] + 1) < 0.05)
    }

    @Test func stepDecaySchedules() throws {
        let lr = try StepDecay(initial: 1e-2, factor: 0.1, interval: 10)
        #expect(lr.value(atEpoch: 0) == 1e-2 && lr.value(atEpoch: 9) == 1e-2)
        #expect(abs(lr.value(atEpoch: 10) - 1e-3) < 1e-18 && abs(lr.value(atEpoch: 25) - 1e-4) < 1e-18)
        let lambdaAE = try StepDecay(initial: 1e-3, interval: 20)
        #expect(abs(lambdaAE.value(atEpoch: 40) - 1e-5) < 1e-20)
        #expect(throws: TensorError.self) { try StepDecay(initial: 1, interval: 0) }
    }

    @Test func optimizerErrors() throws {
        let p = [(name: "p", variable: Variable(Tensor<Double>([1]), requiresGradient: true))]
        #expect(throws: TensorError.invalidArgument(op: "SGD", message: "Nesterov momentum requires momentum > 0 and zero dampening")) {
            try SGD(parameters: p, learningRate: 0.1, nesterov: true)
        }
        #expect(throws: TensorError.invalidArgument(op: "SGD", message: "momentum and dampening must be >= 0")) {
            try SGD(parameters: p, learningRate: 0.1, momentum: -1)
        }
        #expect(throws: TensorError.invalidArgument(op: "SGD", message: "learning rate and weight decay must be >= 0")) {
            try SGD(parameters: p, learningRate: -0.1)
        }
        #expect(throws: TensorError.invalidArgument(op: "RMSprop", message: "alpha, epsilon and momentum must be >= 0")) {
            try RMSprop(parameters: p, learningRate: 0.1, alpha: -1)
        }
        #expect(throws: TensorError.invalidArgument(op: "RMSprop", message: "learning rate and weight decay must be >= 0")) {
            try RMSprop(parameters: p, learningRate: 0.1, weightDecay: -1)
        }
        let sgd = try SGD(parameters: p, learningRate: 0.1, momentum: 0.9)
        #expect(throws: TensorError.invalidArgument(op: "SGD", message: "state for unknown parameter q")) {
            try sgd.loadState(["momentum_buffer/q": Tensor([1])])
        }
        #expect(throws: TensorError.shapeMismatch(op: "SGD state momentum_buffer/p", expected: "[1]", actual: [2])) {
            try sgd.loadState(["momentum_buffer/p": Tensor([1, 2])])
        }
        #expect(throws: TensorError.invalidArgument(op: "SGD", message: "unknown state kind square_avg in square_avg/p")) {
            try sgd.loadState(["square_avg/p": Tensor([1])])
        }
        #expect(throws: TensorError.invalidArgument(op: "SGD", message: "state entry p is not <kind>/<parameter>")) {
            try sgd.loadState(["p": Tensor([1])])
        }
    }
}

extension Variable {
    /// A constant with a new shape (test helper).
    func reshapedConstant(_ shape: [Int]) throws -> Variable { Variable(try value.reshaped(to: shape)) }
}
