import Testing
@testable import Tensors

/// Every shape guard and argument check of the ops throws the documented error.
@Suite("Op errors")
struct OpErrorTests {
    let image = Variable(Tensor<Double>(zeros: [1, 2, 5, 5]))
    let weight = Variable(Tensor<Double>(zeros: [3, 2, 3, 3]))

    @Test func conv2d() {
        #expect(throws: TensorError.invalidArgument(op: "conv2d", message: "stride must be at least 1, got 0")) {
            try image.conv2d(weight: weight, stride: 0)
        }
        #expect(throws: TensorError.invalidArgument(op: "conv2d", message: "padding must be at least 0, got -1")) {
            try image.conv2d(weight: weight, padding: -1)
        }
        #expect(throws: TensorError.shapeMismatch(op: "conv2d", expected: "input (N, C, H, W)", actual: [2, 5, 5])) {
            try Variable(Tensor<Double>(zeros: [2, 5, 5])).conv2d(weight: weight)
        }
        #expect(throws: TensorError.shapeMismatch(op: "conv2d", expected: "weight (O, 2, KH, KW)", actual: [3, 4, 3, 3])) {
            try image.conv2d(weight: Variable(Tensor(zeros: [3, 4, 3, 3])))
        }
        #expect(throws: TensorError.shapeMismatch(op: "conv2d", expected: "bias [3]", actual: [2])) {
            try image.conv2d(weight: weight, bias: Variable(Tensor(zeros: [2])))
        }
        #expect(throws: TensorError.shapeMismatch(op: "conv2d", expected: "padded input at least 7x7", actual: [1, 2, 5, 5])) {
            try image.conv2d(weight: Variable(Tensor(zeros: [3, 2, 7, 7])))
        }
    }

    @Test func convTranspose2d() {
        let w = Variable(Tensor<Double>(zeros: [2, 3, 3, 3]))
        #expect(throws: TensorError.invalidArgument(op: "convTranspose2d", message: "stride must be at least 1, got 0")) {
            try image.convTranspose2d(weight: w, stride: 0)
        }
        #expect(throws: TensorError.invalidArgument(op: "convTranspose2d", message: "padding must be at least 0, got -2")) {
            try image.convTranspose2d(weight: w, padding: -2)
        }
        #expect(throws: TensorError.invalidArgument(op: "convTranspose2d", message: "outputPadding must be in 0..<stride (2), got 2")) {
            try image.convTranspose2d(weight: w, stride: 2, outputPadding: 2)
        }
        #expect(throws: TensorError.shapeMismatch(op: "convTranspose2d", expected: "input (N, C, H, W)", actual: [2, 5])) {
            try Variable(Tensor<Double>(zeros: [2, 5])).convTranspose2d(weight: w)
        }
        #expect(throws: TensorError.shapeMismatch(op: "convTranspose2d", expected: "weight (2, O, KH, KW)", actual: [3, 2, 3, 3])) {
            try image.convTranspose2d(weight: weight)
        }
        #expect(throws: TensorError.shapeMismatch(op: "convTranspose2d", expected: "bias [3]", actual: [1])) {
            try image.convTranspose2d(weight: w, bias: Variable(Tensor(zeros: [1])))
        }
        #expect(throws: TensorError.invalidArgument(op: "convTranspose2d", message: "output would be -5x-5; padding 6 is too large")) {
            try image.convTranspose2d(weight: w, padding: 6)
        }
    }

    @Test func matmulAndLinear() {
        let a = Variable(Tensor<Double>(zeros: [2, 3]))
        #expect(throws: TensorError.shapeMismatch(op: "matmul", expected: "left operand (M, K)", actual: [3])) {
            try Variable(Tensor<Double>(zeros: [3])).matmul(a)
        }
        #expect(throws: TensorError.shapeMismatch(op: "matmul", expected: "right operand (K, N)", actual: [3])) {
            try a.matmul(Variable(Tensor(zeros: [3])))
        }
        #expect(throws: TensorError.shapeMismatch(op: "matmul", expected: "right operand with 3 rows after transpose", actual: [2, 3])) {
            try a.matmul(a)
        }
        #expect(throws: TensorError.shapeMismatch(op: "linear", expected: "input (N, in)", actual: [3])) {
            try Variable(Tensor<Double>(zeros: [3])).linear(weight: a)
        }
        #expect(throws: TensorError.shapeMismatch(op: "linear", expected: "weight (out, 3)", actual: [3, 2])) {
            try a.linear(weight: Variable(Tensor(zeros: [3, 2])))
        }
        #expect(throws: TensorError.shapeMismatch(op: "linear", expected: "bias [4]", actual: [3])) {
            try a.linear(weight: Variable(Tensor(zeros: [4, 3])), bias: Variable(Tensor(zeros: [3])))
        }
    }

    @Test func batchNorm() {
        var mean = Tensor<Double>(zeros: [2]), variance = Tensor<Double>(repeating: 1, shape: [2])
        var wrong = Tensor<Double>(zeros: [3])
        #expect(throws: TensorError.shapeMismatch(op: "batchNorm", expected: "input (N, C, ...)", actual: [4])) {
            try Variable(Tensor<Double>(zeros: [4])).batchNorm(weight: nil, bias: nil, runningMean: &mean, runningVariance: &variance, training: true)
        }
        #expect(throws: TensorError.shapeMismatch(op: "batchNorm", expected: "weight [2]", actual: [3])) {
            try image.batchNorm(weight: Variable(Tensor(zeros: [3])), bias: nil, runningMean: &mean, runningVariance: &variance, training: true)
        }
        #expect(throws: TensorError.shapeMismatch(op: "batchNorm", expected: "runningMean [2]", actual: [3])) {
            try image.batchNorm(weight: nil, bias: nil, runningMean: &wrong, runningVariance: &variance, training: true)
        }
        #expect(throws: TensorError.invalidArgument(op: "batchNorm", message: "training needs more than one value per channel, got input [1, 2]")) {
            try Variable(Tensor<Double>(zeros: [1, 2])).batchNorm(weight: nil, bias: nil, runningMean: &mean, runningVariance: &variance, training: true)
        }
        #expect(throws: TensorError.invalidArgument(op: "batchNorm", message: "momentum must be in [0, 1], got 1.5")) {
            try image.batchNorm(weight: nil, bias: nil, runningMean: &mean, runningVariance: &variance, training: true, momentum: 1.5)
        }
    }

    @Test func pooling() {
        #expect(throws: TensorError.invalidArgument(op: "maxPool2d", message: "kernelSize must be at least 1, got 0")) {
            try image.maxPool2d(kernelSize: 0)
        }
        #expect(throws: TensorError.invalidArgument(op: "avgPool2d", message: "stride must be at least 1, got 0")) {
            try image.avgPool2d(kernelSize: 2, stride: 0)
        }
        #expect(throws: TensorError.shapeMismatch(op: "maxPool2d", expected: "input (N, C, H, W)", actual: [5, 5])) {
            try Variable(Tensor<Double>(zeros: [5, 5])).maxPool2d(kernelSize: 2)
        }
        #expect(throws: TensorError.shapeMismatch(op: "avgPool2d", expected: "spatial size at least 6x6", actual: [1, 2, 5, 5])) {
            try image.avgPool2d(kernelSize: 6)
        }
    }

    @Test func dropout() {
        var g = SeededGenerator(seed: 1)
        #expect(throws: TensorError.invalidArgument(op: "dropout", message: "rate must be in [0, 1), got 1.0")) {
            try image.dropout(rate: 1, using: &g)
        }
        #expect(throws: TensorError.invalidArgument(op: "dropout", message: "rate must be in [0, 1), got -0.1")) {
            try image.dropout(rate: -0.1, using: &g)
        }
    }

    @Test func arithmeticBroadcasting() {
        let a = Variable(Tensor<Double>(zeros: [2, 3])), b = Variable(Tensor<Double>(zeros: [2]))
        #expect(throws: TensorError.shapeMismatch(op: "add", expected: "a shape broadcastable with [2, 3]", actual: [2])) { try a + b }
        #expect(throws: TensorError.shapeMismatch(op: "subtract", expected: "a shape broadcastable with [2, 3]", actual: [2])) { try a - b }
        #expect(throws: TensorError.shapeMismatch(op: "multiply", expected: "a shape broadcastable with [2, 3]", actual: [2])) { try a * b }
        #expect(throws: TensorError.shapeMismatch(op: "divide", expected: "a shape broadcastable with [2, 3]", actual: [2])) { try a / b }
    }

    @Test func concatenate() {
        let a = Variable(Tensor<Double>(zeros: [2, 3]))
        #expect(throws: TensorError.invalidArgument(op: "concatenate", message: "no inputs")) {
            try Variable<Double>.concatenate([], alongAxis: 0)
        }
        #expect(throws: TensorError.invalidArgument(op: "concatenate", message: "axis 2 out of range for rank 2")) {
            try Variable.concatenate([a, a], alongAxis: 2)
        }
        #expect(throws: TensorError.shapeMismatch(op: "concatenate", expected: "rank 2", actual: [3])) {
            try Variable.concatenate([a, Variable(Tensor(zeros: [3]))], alongAxis: 0)
        }
        #expect(throws: TensorError.shapeMismatch(op: "concatenate", expected: "[2, 4] (all axes but 1 equal to [2, 3])", actual: [3, 4])) {
            try Variable.concatenate([a, Variable(Tensor(zeros: [3, 4]))], alongAxis: 1)
        }
    }

    @Test func reshapeSoftmaxReductions() {
        let a = Variable(Tensor<Double>(zeros: [2, 3]))
        #expect(throws: TensorError.shapeMismatch(op: "reshape", expected: "a shape with 6 elements", actual: [4])) {
            try a.reshaped(to: [4])
        }
        #expect(throws: TensorError.shapeMismatch(op: "flatten", expected: "rank at least 1", actual: [])) {
            try Variable(Tensor<Double>(1)).flattened()
        }
        #expect(throws: TensorError.shapeMismatch(op: "logSoftmax", expected: "rank at least 1 with a non-empty last axis", actual: [])) {
            try Variable(Tensor<Double>(1)).logSoftmax()
        }
        #expect(throws: TensorError.shapeMismatch(op: "softmax", expected: "rank at least 1 with a non-empty last axis", actual: [2, 0])) {
            try Variable(Tensor<Double>(zeros: [2, 0])).softmax()
        }
        #expect(throws: TensorError.shapeMismatch(op: "mean", expected: "at least one element", actual: [0])) {
            try Variable(Tensor<Double>(zeros: [0])).mean()
        }
        #expect(throws: TensorError.invalidArgument(op: "sum(alongAxis:)", message: "axis 2 out of range for shape [2, 3]")) {
            try a.sum(alongAxis: 2)
        }
        #expect(throws: TensorError.shapeMismatch(op: "mean(alongAxis:)", expected: "non-empty axis 1", actual: [2, 0])) {
            try Variable(Tensor<Double>(zeros: [2, 0])).mean(alongAxis: 1)
        }
    }

    @Test func gatherAndMeanSquaredError() {
        let a = Variable(Tensor<Double>(zeros: [2, 3]))
        #expect(throws: TensorError.shapeMismatch(op: "gather", expected: "(N, K)", actual: [3])) {
            try Variable(Tensor<Double>(zeros: [3])).gather(indices: [0])
        }
        #expect(throws: TensorError.shapeMismatch(op: "gather", expected: "2 indices", actual: [1])) { try a.gather(indices: [0]) }
        #expect(throws: TensorError.invalidArgument(op: "gather", message: "index 3 out of range 0..<3")) { try a.gather(indices: [0, 3]) }
        #expect(throws: TensorError.shapeMismatch(op: "meanSquaredError", expected: "target [2, 3]", actual: [3, 2])) {
            try a.meanSquaredError(to: Variable(Tensor(zeros: [3, 2])))
        }
        #expect(throws: TensorError.shapeMismatch(op: "meanSquaredError", expected: "at least one element", actual: [0])) {
            try Variable(Tensor<Double>(zeros: [0])).meanSquaredError(to: Variable(Tensor(zeros: [0])))
        }
    }
}
