/// NumPy/PyTorch broadcasting: shapes are aligned at the right; each pair of sizes must
/// be equal or one of them 1.
enum Broadcasting {
    /// The broadcast shape of two shapes, or nil when they are incompatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else { return nil }
            result[i] = max(da, db)
        }
        return result
    }

    /// For each element of `outputShape`, the index into a tensor of `shape` that it reads.
    static func sourceIndices(of shape: [Int], in outputShape: [Int]) -> [Int] {
        let rank = outputShape.count
        let padded = [Int](repeating: 1, count: rank - shape.count) + shape
        let sourceStrides = Tensor<Double>.strides(of: padded).enumerated().map { padded[$0.offset] == 1 ? 0 : $0.element }
        let count = outputShape.reduce(1, *)
        var indices = [Int](repeating: 0, count: count)
        var counter = [Int](repeating: 0, count: rank)
        var source = 0
        for i in 0..<count {
            indices[i] = source
            // Odometer increment over the output index, carrying into outer axes.
            var axis = rank - 1
            while axis >= 0 {
                counter[axis] += 1
                source += sourceStrides[axis]
                if counter[axis] < outputShape[axis] { break }
                source -= sourceStrides[axis] * counter[axis]
                counter[axis] = 0
                axis -= 1
            }
        }
        return indices
    }

    /// Sums a gradient of `outputShape` back down to `shape` (the adjoint of broadcasting).
    static func reduce<Scalar: TensorScalar>(_ gradient: Tensor<Scalar>, to shape: [Int]) -> Tensor<Scalar> {
        if gradient.shape == shape { return gradient }
        let indices = sourceIndices(of: shape, in: gradient.shape)
        var result = [Scalar](repeating: 0, count: shape.reduce(1, *))
        for (i, g) in gradient.scalars.enumerated() { result[indices[i]] += g }
        return Tensor(uncheckedShape: shape, scalars: result)
    }
}
