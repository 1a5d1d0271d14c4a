/// The three matrices of Winograd's minimal filtering algorithm F(m, r): m outputs of an
/// r-tap correlation from m + r - 1 inputs with m + r - 1 multiplications (Lavin and Gray,
/// "Fast Algorithms for Convolutional Neural Networks", CVPR 2016). In two dimensions an
/// m x m output tile is A^T [(G g G^T) * (B^T d B)] A, with * element-wise.
///
/// The matrices are built by the Toom-Cook construction from the interpolation points
/// 0, 1, -1, 2, -2, ... and infinity, in Double, rather than typed in: the same code gives
/// F(2, 3), F(4, 3) and F(2, 5), and a test checks each against direct correlation.
struct WinogradTransform: Sendable, Equatable {
    /// m: outputs per tile side.
    let outputTile: Int
    /// r: kernel side.
    let kernel: Int
    /// A^T, (m, alpha) row-major: from the element-wise product back to the outputs.
    let outputTransform: [Double]
    /// G, (alpha, r) row-major: the kernel transform, scaled by the interpolation denominators.
    let kernelTransform: [Double]
    /// B^T, (alpha, alpha) row-major: the input transform.
    let inputTransform: [Double]

    /// alpha = m + r - 1: inputs per tile side, and multiplications per output tile side.
    var inputTile: Int { outputTile + kernel - 1 }

    init(outputTile m: Int, kernel r: Int) {
        precondition(m >= 1 && r >= 1 && m + r - 1 <= 9, "F(\(m), \(r)) needs more interpolation points than defined")
        outputTile = m; kernel = r
        let alpha = m + r - 1
        // The finite points; infinity is the last row/column of each matrix.
        let points = Array([0.0, 1, -1, 2, -2, 0.5, -0.5, 3][..<(alpha - 1)])
        func power(_ x: Double, _ k: Int) -> Double { (0..<k).reduce(1) { p, _ in p * x } }
        // Coefficients (ascending) of the product of (x - p) over `roots`.
        func polynomial(_ roots: [Double]) -> [Double] {
            var c = [1.0]
            for p in roots {
                var next = [Double](repeating: 0, count: c.count + 1)
                for (k, value) in c.enumerated() { next[k + 1] += value; next[k] -= p * value }
                c = next
            }
            return c
        }
        var at = [Double](repeating: 0, count: m * alpha)
        var g = [Double](repeating: 0, count: alpha * r)
        var bt = [Double](repeating: 0, count: alpha * alpha)
        for (j, p) in points.enumerated() {
            let others = points.enumerated().filter { $0.offset != j }.map(\.element)
            let denominator = others.reduce(1.0) { $0 * (p - $1) }
            for i in 0..<m { at[i * alpha + j] = power(p, i) }
            for k in 0..<r { g[j * r + k] = power(p, k) / denominator }
            for (k, c) in polynomial(others).enumerated() { bt[j * alpha + k] = c }
        }
        at[(m - 1) * alpha + alpha - 1] = 1
        g[(alpha - 1) * r + r - 1] = 1
        for (k, c) in polynomial(points).enumerated() { bt[(alpha - 1) * alpha + k] = c }
        outputTransform = at; kernelTransform = g; inputTransform = bt
    }

    /// The non-zero entries of each row of a (rows, columns) matrix, as (column, value): the
    /// transforms are mostly 0 and +-1, so the vector loops skip the zeros.
    static func sparseRows(_ matrix: [Double], rows: Int, columns: Int) -> [[(column: Int, value: Double)]] {
        (0..<rows).map { i in (0..<columns).compactMap { j in matrix[i * columns + j] == 0 ? nil : (j, matrix[i * columns + j]) } }
    }
}
