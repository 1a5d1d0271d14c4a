import Testing
import TestSupport
@testable import Tensors

@Suite("Autodiff")
struct AutodiffTests {
    @Test func gradientsAccumulateAcrossBackwardCalls() throws {
        let x = Variable(Tensor<Double>([1, 2, 3]), requiresGradient: true)
        try x.scaled(by: 2).sum().backward()
        try x.scaled(by: 3).sum().backward()
        #expect(x.grad?.scalars == [5, 5, 5])
        x.zeroGradient()
        #expect(x.grad == nil)
    }

    @Test func backwardWithExplicitUpstream() throws {
        let x = Variable(Tensor<Double>([1, 2]), requiresGradient: true)
        try x.scaled(by: 3).backward(upstream: Tensor([0.5, -1]))
        #expect(x.grad?.scalars == [1.5, -3])
    }

    @Test func noGradientScopeRecordsNothing() throws {
        let x = Variable(Tensor<Double>([1, 2]), requiresGradient: true)
        let y = withoutGradient { x.tanh() }
        #expect(!y.requiresGradient)
        #expect(throws: TensorError.self) { try y.sum().backward() }
        // Recording resumes after the scope.
        #expect(x.tanh().requiresGradient)
    }

    @Test func gradientReachesInputsThroughFrozenParameters() throws {
        // A frozen layer: its weight does not require a gradient, its input does.
        let weight = Variable(try Tensor<Double>(shape: [1, 2], scalars: [2, -1]))
        let x = Variable(try Tensor<Double>(shape: [1, 2], scalars: [3, 4]), requiresGradient: true)
        try x.linear(weight: weight).sum().backward()
        #expect(x.grad?.scalars == [2, -1])
        #expect(weight.grad == nil)
    }

    @Test func graphIsReleasedAfterBackward() throws {
        let x = Variable(Tensor<Double>([1, 2]), requiresGradient: true)
        weak var intermediate: Variable<Double>?
        weak var record: GradientNode<Double>?
        let loss: Variable<Double>
        do {
            let hidden = x.tanh()
            intermediate = hidden
            record = hidden.node
            loss = hidden.sum()
        }
        // The tape holds the intermediate's gradient record, not the variable (and its value).
        #expect(intermediate == nil)
        #expect(record != nil)
        try loss.backward()
        #expect(record == nil)
        #expect(loss.isLeaf)
    }

    /// Whether anything besides `tensor` still holds its storage: making it unique copies it then.
    private func isShared(_ tensor: inout Tensor<Double>) -> Bool {
        let before = tensor.scalars.withUnsafeBufferPointer { $0.baseAddress }
        let after = tensor.scalars.withUnsafeMutableBufferPointer { UnsafePointer($0.baseAddress) }
        return before != after
    }

    @Test(arguments: [0, 0.1, -0.1])
    func reluKeepsItsOutputNotItsInput(negativeSlope: Double) throws {
        let x = Variable(Tensor<Double>([1, -2, 3, -4]), requiresGradient: true)
        var input: Tensor<Double>
        let loss: Variable<Double>
        do {
            let shifted = try x + Variable(Tensor([0.5, 0.5, 0.5, 0.5]))  // a sum keeps neither operand
            input = shifted.value
            loss = shifted.leakyRelu(negativeSlope: negativeSlope).sum()
        }
        // With a slope >= 0 the sign of the output is the input's, so the input is not kept
        // (the batch norm output under a ReLU); a negative slope needs the input.
        #expect(isShared(&input) == (negativeSlope < 0))
        try loss.backward()
        let slope = negativeSlope
        #expect(x.grad?.scalars == [1, slope, 1, slope])
    }
    @Test func aVariablesValueChangesInPlace() {
        // The value's accessor (it keeps the record's shape) must not make in-place updates copy,
        // as optimizers and batch norm's running statistics change values in place.
        // The address is compared after each change: a copy is allocated while the old storage is
        // still alive, so it always lands elsewhere. (Compared only at the end, two copies could
        // pass, when malloc hands the first freed block back to the second.)
        let v = Variable(Tensor<Double>(zeros: [1000]), requiresGradient: true)
        func address() -> UnsafePointer<Double>? { v.value.scalars.withUnsafeBufferPointer { $0.baseAddress } }
        let before = address()
        v.value.scalars.withUnsafeMutableBufferPointer { $0[0] = 1 }
        #expect(address() == before)
        func addOne(_ t: inout Tensor<Double>) { t.scalars.withUnsafeMutableBufferPointer { $0[1] += 1 } }
        addOne(&v.value)
        #expect(address() == before)
        #expect(v.value.scalars[0...1] == [1, 1])
        v.value = Tensor(zeros: [2, 3])  // a new shape: gradients follow it
        #expect(v.node.shape == [2, 3])
        v.accumulateGradient(Tensor(repeating: 1, shape: [2, 3]))
        #expect(v.grad?.shape == [2, 3])
        // A new shape through an in-place access, also when that access ends by throwing.
        v.zeroGradient()
        func reshape(_ t: inout Tensor<Double>) { t = Tensor(zeros: [3, 1]) }
        reshape(&v.value)
        #expect(v.node.shape == [3, 1])
        struct Thrown: Error {}
        func reshapeThenThrow(_ t: inout Tensor<Double>) throws { t = Tensor(zeros: [4]); throw Thrown() }
        #expect(throws: Thrown.self) { try reshapeThenThrow(&v.value) }
        #expect(v.value.shape == [4] && v.node.shape == [4])
    }

    @Test func constantsDoNotRecord() {
        let a = Variable(Tensor<Double>([1, 2])), b = Variable(Tensor<Double>([3, 4]))
        let c = try? a + b
        #expect(c?.requiresGradient == false)
        #expect(c?.isLeaf == true)
    }

    @Test func detachedCutsTheGraph() throws {
        let x = Variable(Tensor<Double>([1, 2]), requiresGradient: true)
        let y = x.scaled(by: 2).detached()
        #expect(!y.requiresGradient)
    }

    @Test func backwardErrors() throws {
        let constant = Variable(Tensor<Double>([1, 2]))
        #expect(throws: TensorError.notDifferentiable(op: "backward", message: "this variable does not require a gradient (no input of its graph does)")) {
            try constant.backward()
        }
        let x = Variable(Tensor<Double>([1, 2]), requiresGradient: true)
        let y = x.scaled(by: 2)
        #expect(throws: TensorError.shapeMismatch(op: "backward", expected: "one element (or pass an upstream gradient)", actual: [2])) {
            try y.backward()
        }
        #expect(throws: TensorError.shapeMismatch(op: "backward", expected: "[2]", actual: [3])) {
            try y.backward(upstream: Tensor([1, 2, 3]))
        }
    }
}

@Suite("Tensor values")
struct TensorValueTests {
    @Test func copyOnWriteKeepsValueSemantics() {
        let a = Tensor<Float>([1, 2, 3])
        var b = a
        b.scalars[0] = 9
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [9, 2, 3])
    }

    @Test func initializerErrors() throws {
        #expect(throws: TensorError.shapeMismatch(op: "Tensor.init", expected: "6 elements for shape [2, 3]", actual: [5])) {
            try Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5])
        }
        #expect(throws: TensorError.invalidArgument(op: "Tensor.init", message: "negative dimension in shape [-1, 2]")) {
            try Tensor<Float>(shape: [-1, 2], scalars: [])
        }
        #expect(throws: TensorError.shapeMismatch(op: "reshape", expected: "a shape with 3 elements", actual: [2, 2])) {
            try Tensor<Float>([1, 2, 3]).reshaped(to: [2, 2])
        }
    }

    @Test func seededGeneratorIsReproducibleAndRestorable() throws {
        var a = SeededGenerator(seed: 42)
        _ = a.next()
        var b = try SeededGenerator(state: a.state)
        #expect((0..<5).map { _ in a.next() } == (0..<5).map { _ in b.next() })
        #expect(throws: TensorError.self) { try SeededGenerator(state: [0, 0, 0, 0]) }
        #expect(throws: TensorError.self) { try SeededGenerator(state: [1, 2]) }
    }

    @Test func normalDrawsHaveTheRightMoments() {
        var g = SeededGenerator(seed: 3)
        let t = Tensor<Double>(randomNormal: [20_000], mean: 1, standardDeviation: 2, using: &g)
        let mean = t.scalars.reduce(0, +) / 20_000
        let variance = t.scalars.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20_000
        // Standard errors: 2/sqrt(20000) = 0.014 for the mean, ~0.04 for the variance; 5 sigma bounds.
        #expect(abs(mean - 1) < 0.07)
        #expect(abs(variance - 4) < 0.2)
    }
}
