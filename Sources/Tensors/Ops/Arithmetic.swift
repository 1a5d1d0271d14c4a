/// Element-wise binary ops with broadcasting (see PyTorch's broadcasting semantics).
enum BinaryOperation { case add, subtract, multiply, divide }

extension Variable {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func binary(_ operation: BinaryOperation, _ lhs: Variable, _ rhs: Variable) throws -> Variable {
        let a = lhs.value, b = rhs.value
        guard let outputShape = Broadcasting.shape(a.shape, b.shape) else {
            throw TensorError.shapeMismatch(op: "\(operation)", expected: "a shape broadcastable with \(a.shape)", actual: b.shape)
        }
        let count = outputShape.reduce(1, *)
        // Same shapes (the common case) index directly; otherwise map through broadcast indices.
        let ia: [Int]? = a.shape == outputShape ? nil : Broadcasting.sourceIndices(of: a.shape, in: outputShape)
        let ib: [Int]? = b.shape == outputShape ? nil : Broadcasting.sourceIndices(of: b.shape, in: outputShape)
        var out = [Scalar](repeating: 0, count: count)
        a.scalars.withUnsafeBufferPointer { ap in
            b.scalars.withUnsafeBufferPointer { bp in
                for i in 0..<count {
                    let x = ap[ia?[i] ?? i], y = bp[ib?[i] ?? i]
                    switch operation {
                    case .add: out[i] = x + y
                    case .subtract: out[i] = x - y
                    case .multiply: out[i] = x * y
                    case .divide: out[i] = x / y
                    }
                }
            }
        }
        let result = Tensor(uncheckedShape: outputShape, scalars: out)
        return record(result, inputs: [lhs, rhs]) { upstream in
            let g = upstream.scalars
            if lhs.requiresGradient {
                var da = [Scalar](repeating: 0, count: count)
                for i in 0..<count {
                    switch operation {
                    case .add, .subtract: da[i] = g[i]
                    case .multiply: da[i] = g[i] * b.scalars[ib?[i] ?? i]
                    case .divide: da[i] = g[i] / b.scalars[ib?[i] ?? i]
                    }
                }
                lhs.accumulateGradient(Broadcasting.reduce(Tensor(uncheckedShape: outputShape, scalars: da), to: a.shape))
            }
            if rhs.requiresGradient {
                var db = [Scalar](repeating: 0, count: count)
                for i in 0..<count {
                    switch operation {
                    case .add: db[i] = g[i]
                    case .subtract: db[i] = -g[i]
                    case .multiply: db[i] = g[i] * a.scalars[ia?[i] ?? i]
                    case .divide:
                        let y = b.scalars[ib?[i] ?? i]
                        db[i] = -g[i] * a.scalars[ia?[i] ?? i] / (y * y)
                    }
                }
                rhs.accumulateGradient(Broadcasting.reduce(Tensor(uncheckedShape: outputShape, scalars: db), to: b.shape))
            }
        }
    }

    /// Element-wise sum with broadcasting. Throws when the shapes cannot broadcast.
    public static func + (lhs: Variable, rhs: Variable) throws -> Variable { try binary(.add, lhs, rhs) }
    /// Element-wise difference with broadcasting.
    public static func - (lhs: Variable, rhs: Variable) throws -> Variable { try binary(.subtract, lhs, rhs) }
    /// Element-wise (Hadamard) product with broadcasting.
    public static func * (lhs: Variable, rhs: Variable) throws -> Variable { try binary(.multiply, lhs, rhs) }
    /// Element-wise quotient with broadcasting.
    public static func / (lhs: Variable, rhs: Variable) throws -> Variable { try binary(.divide, lhs, rhs) }

    /// Multiplies every element by a constant.
    public func scaled(by factor: Scalar) -> Variable {
        map({ $0 * factor }, derivative: { _, _ in factor })
    }

    /// Adds a constant to every element.
    public func adding(_ constant: Scalar) -> Variable {
        map({ $0 + constant }, derivative: { _, _ in 1 })
    }

    /// Element-wise negation.
    public static prefix func - (operand: Variable) -> Variable { operand.scaled(by: -1) }
}
