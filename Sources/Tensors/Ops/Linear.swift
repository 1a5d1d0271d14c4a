extension Variable {
    /// Matrix product of two rank-2 variables: (M, K) x (K, N) -> (M, N), with optional
    /// transposes applied first (so `transposeB: true` multiplies by B^T).
    /// - Throws: ``TensorError/shapeMismatch(op:expected:actual:)`` when the inner sizes differ.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func matmul(_ other: Variable, transposeSelf: Bool = false, transposeOther: Bool = false) throws -> Variable {
        let op = "matmul"
        guard shape.count == 2 else { throw TensorError.shapeMismatch(op: op, expected: "left operand (M, K)", actual: shape) }
        guard other.shape.count == 2 else { throw TensorError.shapeMismatch(op: op, expected: "right operand (K, N)", actual: other.shape) }
        let M = transposeSelf ? shape[1] : shape[0], K = transposeSelf ? shape[0] : shape[1]
        let K2 = transposeOther ? other.shape[1] : other.shape[0], N = transposeOther ? other.shape[0] : other.shape[1]
        guard K == K2 else {
            throw TensorError.shapeMismatch(op: op, expected: "right operand with \(K) rows after transpose", actual: other.shape)
        }
        let a = value, b = other.value
        let (lda, ldb) = (shape[1], other.shape[1])
        var c = Tensor<Scalar>(zeros: [M, N])
        a.scalars.withUnsafeBufferPointer { ap in
            b.scalars.withUnsafeBufferPointer { bp in
                c.scalars.withUnsafeMutableBufferPointer { cp in
                    BLAS.gemm(transposeA: transposeSelf, transposeB: transposeOther, m: M, n: N, k: K,
                              a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb, c: cp.baseAddress!, ldc: N)
                }
            }
        }
        return Variable.record(c, inputs: [self, other]) { [input = node, other = other.node] dc in
            dc.scalars.withUnsafeBufferPointer { dcp in
                if input.requiresGradient {
                    // dA = dC B^T (or its transpose when A was used transposed)
                    var da = Tensor<Scalar>(zeros: a.shape)
                    b.scalars.withUnsafeBufferPointer { bp in
                        da.scalars.withUnsafeMutableBufferPointer { dap in
                            if transposeSelf {  // A^T used: dA (K, M) = op(B) (K, N) x dC^T (N, M)
                                BLAS.gemm(transposeA: transposeOther, transposeB: true, m: K, n: M, k: N,
                                          a: bp.baseAddress!, lda: ldb, b: dcp.baseAddress!, ldb: N, c: dap.baseAddress!, ldc: M)
                            } else {  // dA (M, K) = dC (M, N) x op(B)^T (N, K)
                                BLAS.gemm(transposeA: false, transposeB: !transposeOther, m: M, n: K, k: N,
                                          a: dcp.baseAddress!, lda: N, b: bp.baseAddress!, ldb: ldb, c: dap.baseAddress!, ldc: K)
                            }
                        }
                    }
                    input.accumulateGradient(da)
                }
                if other.requiresGradient {
                    var db = Tensor<Scalar>(zeros: b.shape)
                    a.scalars.withUnsafeBufferPointer { ap in
                        db.scalars.withUnsafeMutableBufferPointer { dbp in
                            if transposeOther {  // B^T used: dB (N, K) = dC^T (N, M) x op(A) (M, K)
                                BLAS.gemm(transposeA: true, transposeB: transposeSelf, m: N, n: K, k: M,
                                          a: dcp.baseAddress!, lda: N, b: ap.baseAddress!, ldb: lda, c: dbp.baseAddress!, ldc: K)
                            } else {  // dB (K, N) = op(A)^T (K, M) x dC (M, N)
                                BLAS.gemm(transposeA: !transposeSelf, transposeB: false, m: K, n: N, k: M,
                                          a: ap.baseAddress!, lda: lda, b: dcp.baseAddress!, ldb: N, c: dbp.baseAddress!, ldc: N)
                            }
                        }
                    }
                    other.accumulateGradient(db)
                }
            }
        }
    }

    /// Fully connected layer as PyTorch's `F.linear`: x (N, in) x weight^T + bias,
    /// weight (out, in), bias (out).
    public func linear(weight: Variable, bias: Variable? = nil) throws -> Variable {
        guard shape.count == 2 else { throw TensorError.shapeMismatch(op: "linear", expected: "input (N, in)", actual: shape) }
        guard weight.shape.count == 2, weight.shape[1] == shape[1] else {
            throw TensorError.shapeMismatch(op: "linear", expected: "weight (out, \(shape[1]))", actual: weight.shape)
        }
        let product = try matmul(weight, transposeOther: true)
        guard let bias else { return product }
        guard bias.shape == [weight.shape[0]] else {
            throw TensorError.shapeMismatch(op: "linear", expected: "bias [\(weight.shape[0])]", actual: bias.shape)
        }
        return try product + bias
    }
}
