/// 2-D max pooling, PyTorch's `nn.MaxPool2d` (no padding, floor mode).
public final class MaxPool2D<Scalar: TensorScalar>: Layer {
    public let kernelSize: Int, stride: Int
    public var isTraining = true
    public init(kernelSize: Int, stride: Int? = nil) { self.kernelSize = kernelSize; self.stride = stride ?? kernelSize }
    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try input.maxPool2d(kernelSize: kernelSize, stride: stride)
    }
}

/// 2-D average pooling, PyTorch's `nn.AvgPool2d` (no padding, floor mode).
public final class AvgPool2D<Scalar: TensorScalar>: Layer {
    public let kernelSize: Int, stride: Int
    public var isTraining = true
    public init(kernelSize: Int, stride: Int? = nil) { self.kernelSize = kernelSize; self.stride = stride ?? kernelSize }
    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try input.avgPool2d(kernelSize: kernelSize, stride: stride)
    }
}
