import COpenBLAS

/// A random matrix with orthonormal rows (rows <= columns) or columns (rows > columns),
/// row-major, from the QR factorisation of a standard Gaussian matrix (LAPACKE dgeqrf +
/// dorgqr). Columns of Q are multiplied by the sign of R's diagonal so the result is
/// uniformly (Haar) distributed, as PyTorch's `nn.init.orthogonal_` does.
public func orthogonalMatrix(rows: Int, columns: Int, using generator: inout SeededGenerator) -> [Double] {
    precondition(rows >= 1 && columns >= 1, "orthogonalMatrix: sizes must be positive")
    // Factorise the tall orientation (m >= n), then transpose back if needed.
    let tall = rows >= columns
    let m = tall ? rows : columns, n = tall ? columns : rows
    var a = (0..<(m * n)).map { _ in generator.nextStandardNormal() }  // (m, n)
    var tau = [Double](repeating: 0, count: n)
    let info = a.withUnsafeMutableBufferPointer { ap in
        tau.withUnsafeMutableBufferPointer { tp in
            LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), ap.baseAddress!, Int32(n), tp.baseAddress!)
        }
    }
    precondition(info == 0, "LAPACKE_dgeqrf failed with info \(info)")
    let signs = (0..<n).map { a[$0 * n + $0] < 0 ? -1.0 : 1.0 }
    let info2 = a.withUnsafeMutableBufferPointer { ap in
        tau.withUnsafeMutableBufferPointer { tp in
            LAPACKE_dorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(n), ap.baseAddress!, Int32(n), tp.baseAddress!)
        }
    }
    precondition(info2 == 0, "LAPACKE_dorgqr failed with info \(info2)")
    for i in 0..<m { for j in 0..<n { a[i * n + j] *= signs[j] } }
    if tall { return a }
    var transposed = [Double](repeating: 0, count: m * n)  // (n, m) = (rows, columns)
    for i in 0..<m { for j in 0..<n { transposed[j * m + i] = a[i * n + j] } }
    return transposed
}
