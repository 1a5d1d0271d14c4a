/// A dense, row-major (NCHW for images) array of scalars with value semantics.
///
/// Storage is a Swift `Array`, so copies are cheap and copy-on-write. A `Tensor` is a
/// plain value: it records nothing. Wrap it in a ``Variable`` to take part in
/// automatic differentiation.
public struct Tensor<Scalar: TensorScalar>: Sendable, Equatable {
    /// Sizes of each axis, outermost first. A scalar has shape `[]`.
    public private(set) var shape: [Int]
    /// Backing store of ``scalars``.
    @usableFromInline var storage: [Scalar]

    /// The elements in row-major order. They may be changed in place (no copy is made when
    /// the tensor's storage is not shared), but their count must stay equal to the shape's
    /// element count: changing it is a programming error, like an index out of range.
    public var scalars: [Scalar] {
        get { storage }
        _modify {
            let count = storage.count
            yield &storage
            precondition(storage.count == count, "Tensor.scalars: the element count must not change")
        }
        set {
            precondition(newValue.count == storage.count, "Tensor.scalars: the element count must not change")
            storage = newValue
        }
    }

    /// Creates a tensor from its elements, checking that they fill the shape.
    public init(shape: [Int], scalars: [Scalar]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(op: "Tensor.init", message: "negative dimension in shape \(shape)")
        }
        let count = shape.reduce(1, *)
        guard count == scalars.count else {
            throw TensorError.shapeMismatch(
                op: "Tensor.init", expected: "\(count) elements for shape \(shape)", actual: [scalars.count])
        }
        self.shape = shape
        self.storage = scalars
    }

    /// Internal initializer for ops that have already validated the count.
    @usableFromInline
    init(uncheckedShape shape: [Int], scalars: [Scalar]) {
        precondition(shape.reduce(1, *) == scalars.count, "internal: shape/count mismatch")
        self.shape = shape
        self.storage = scalars
    }

    /// A tensor of the given shape with every element equal to `value`.
    public init(repeating value: Scalar, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor(repeating:shape:): negative dimension in \(shape)")
        self.init(uncheckedShape: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

    /// A rank-1 tensor of the given elements.
    public init(_ scalars: [Scalar]) { self.init(uncheckedShape: [scalars.count], scalars: scalars) }

    /// A rank-0 tensor holding one value.
    public init(_ value: Scalar) { self.init(uncheckedShape: [], scalars: [value]) }

    /// Elements drawn from N(mean, standardDeviation^2) with an explicit generator.
    public init<G: RandomNumberGenerator>(
        randomNormal shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1, using generator: inout G
    ) {
        let count = shape.reduce(1, *)
        var values = [Scalar]()
        values.reserveCapacity(count)
        for _ in 0..<count {
            values.append(mean + standardDeviation * Scalar(generator.nextStandardNormal()))
        }
        self.init(uncheckedShape: shape, scalars: values)
    }

    /// Elements drawn uniformly from [lowerBound, upperBound) with an explicit generator.
    public init<G: RandomNumberGenerator>(
        randomUniform shape: [Int], lowerBound: Scalar, upperBound: Scalar, using generator: inout G
    ) {
        let count = shape.reduce(1, *)
        var values = [Scalar]()
        values.reserveCapacity(count)
        let width = upperBound - lowerBound
        for _ in 0..<count {
            values.append(lowerBound + width * Scalar(generator.nextUnitDouble()))
        }
        self.init(uncheckedShape: shape, scalars: values)
    }

    /// Number of elements.
    public var count: Int { scalars.count }
    /// Number of axes.
    public var rank: Int { shape.count }

    /// The single element of a tensor with one element.
    public var scalar: Scalar? { scalars.count == 1 ? scalars[0] : nil }

    /// The same elements under another shape with the same element count.
    public func reshaped(to newShape: [Int]) throws -> Tensor {
        guard newShape.allSatisfy({ $0 >= 0 }), newShape.reduce(1, *) == count else {
            throw TensorError.shapeMismatch(op: "reshape", expected: "a shape with \(count) elements", actual: newShape)
        }
        return Tensor(uncheckedShape: newShape, scalars: scalars)
    }

    /// The same values converted to another scalar type.
    public func converted<Other: TensorScalar>(to: Other.Type = Other.self) -> Tensor<Other> {
        Tensor<Other>(uncheckedShape: shape, scalars: scalars.map { Other($0) })
    }

    /// Row-major strides of `shape`.
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor<\(Scalar.self)>(shape: \(shape), [\(preview)\(count > 8 ? ", ..." : "")])"
    }
}

extension Tensor {
    /// How many elements are NaN or infinite (0 for a healthy tensor).
    public var nonFiniteCount: Int {
        scalars.withUnsafeBufferPointer { buffer in
            var count = 0
            for x in buffer where !x.isFinite { count += 1 }
            return count
        }
    }
}

extension Tensor {
    /// A tensor whose elements the caller must all write before any is read (a kernel that
    /// overwrites its whole output saves the zero-fill and the page faults it causes).
    init(uninitializedShape shape: [Int]) {
        let count = shape.reduce(1, *)
        self.init(uncheckedShape: shape, scalars: [Scalar](unsafeUninitializedCapacity: count) { _, initialized in initialized = count })
    }
}
