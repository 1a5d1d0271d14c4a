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
        // One loop per operation, outside the switch, so each loop vectorises.
        let out = a.scalars.withUnsafeBufferPointer { ap in
            b.scalars.withUnsafeBufferPointer { bp in
                switch operation {
                case .add: return generate(count, ia, ib) { ap[$0] + bp[$1] }
                case .subtract: return generate(count, ia, ib) { ap[$0] - bp[$1] }
                case .multiply: return generate(count, ia, ib) { ap[$0] * bp[$1] }
                case .divide: return generate(count, ia, ib) { ap[$0] / bp[$1] }
                }
            }
        }
        let result = Tensor(uncheckedShape: outputShape, scalars: out)
        // The pullback keeps only the operands its gradients read: none for a sum or a
        // difference, the other one for a product, both for a quotient.
        let (aShape, bShape) = (a.shape, b.shape)
        let keepsOperands = operation == .multiply || operation == .divide
        let keptA: Tensor<Scalar>? = keepsOperands ? a : nil, keptB: Tensor<Scalar>? = keepsOperands ? b : nil
        return record(result, inputs: [lhs, rhs]) { [lhs = lhs.node, rhs = rhs.node] upstream in
            if lhs.requiresGradient {
                let da: [Scalar] = upstream.scalars.withUnsafeBufferPointer { g in
                    switch operation {
                    case .add, .subtract: return upstream.scalars  // shared storage, no copy
                    case .multiply: return keptB!.scalars.withUnsafeBufferPointer { bp in generate(count, nil, ib) { g[$0] * bp[$1] } }
                    case .divide: return keptB!.scalars.withUnsafeBufferPointer { bp in generate(count, nil, ib) { g[$0] / bp[$1] } }
                    }
                }
                lhs.accumulateGradient(Broadcasting.reduce(Tensor(uncheckedShape: outputShape, scalars: da), to: aShape))
            }
            if rhs.requiresGradient {
                let db: [Scalar] = upstream.scalars.withUnsafeBufferPointer { g in
                    switch operation {
                    case .add: return upstream.scalars
                    case .subtract: return generate(count, nil, nil) { i, _ in -g[i] }
                    case .multiply: return keptA!.scalars.withUnsafeBufferPointer { ap in generate(count, nil, ia) { g[$0] * ap[$1] } }
                    case .divide:
                        return keptA!.scalars.withUnsafeBufferPointer { ap in
                            keptB!.scalars.withUnsafeBufferPointer { bp in
                                guard let ib else { return generate(count, ia, nil) { i, j in -g[j] * ap[i] / (bp[j] * bp[j]) } }
                                return generate(count, ia, nil) { i, j in
                                    let y = bp[ib[j]]
                                    return -g[j] * ap[i] / (y * y)
                                }
                            }
                        }
                    }
                }
                rhs.accumulateGradient(Broadcasting.reduce(Tensor(uncheckedShape: outputShape, scalars: db), to: bShape))
            }
        }
    }

    /// `count` values `body(first[i], second[i])`, where a nil index map means the identity:
    /// the direct case is a plain loop the compiler can vectorise.
    @inline(__always)
    private static func generate(_ count: Int, _ first: [Int]?, _ second: [Int]?, _ body: (Int, Int) -> Scalar) -> [Scalar] {
        [Scalar](unsafeUninitializedCapacity: count) { p, initialized in
            switch (first, second) {
            case (nil, nil): for i in 0..<count { p[i] = body(i, i) }
            case (let f?, nil): for i in 0..<count { p[i] = body(f[i], i) }
            case (nil, let s?): for i in 0..<count { p[i] = body(i, s[i]) }
            case (let f?, let s?): for i in 0..<count { p[i] = body(f[i], s[i]) }
            }
            initialized = count
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
