// Legend as in Ops/Conv2D.swift: N batch, C input channels, O output channels, H x W input,
// OH x OW output, r x r kernel, P padding; m x m output tiles of alpha x alpha inputs.

/// Stride-1 correlation y = x (*) weight by Winograd's F(m x m, r x r): per tile the kernel
/// costs alpha^2 multiplications per input-output channel pair instead of m^2 r^2, so
/// F(2x2, 3x3) does 2.25 times fewer and F(2x2, 5x5) 2.8 times fewer than im2col + GEMM.
///
/// Tiles are taken a strip at a time (one tile row of one sample) and a few strips form a
/// chunk. Per chunk: the input transform B^T d B of every tile and channel, then alpha^2
/// GEMMs (O, C) x (C, tiles), one per position of the transformed tile, then the output
/// transform A^T M A. Both transforms run as vector loops along a strip: first along the
/// rows (B^T applied to alpha input rows at once), then along the columns, with the columns
/// split by phase (column mod m) so that every loop reads memory contiguously.
///
/// - Parameters:
///   - x: (N, C, H, W).
///   - weight: (O, C, r, r).
///   - y: (N, O, OH, OW), OH = H + 2P - r + 1; every element is written.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func winogradCorrelation<Scalar: TensorScalar>(
    _ x: UnsafePointer<Scalar>, batch N: Int, channels C: Int, height H: Int, width W: Int,
    weight: UnsafePointer<Scalar>, outputChannels O: Int, padding P: Int, transform t: WinogradTransform,
    into y: UnsafeMutablePointer<Scalar>, workspace: ConvolutionWorkspace<Scalar>?
) {
    let m = t.outputTile, r = t.kernel, alpha = t.inputTile, positions = alpha * alpha
    let OH = H + 2 * P - r + 1, OW = W + 2 * P - r + 1
    guard N > 0, OH > 0, OW > 0 else { return }
    let tilesH = (OH + m - 1) / m, tilesW = (OW + m - 1) / m
    let strips = N * tilesH
    // Enough tiles per chunk for GEMMs that use the kernel well, few enough that a chunk's
    // transformed inputs and products stay near the core (about 2 MB).
    let stripsPerChunk = max(1, min(strips, max(128 / tilesW, (1 << 19) / max(1, positions * (C + O) * tilesW))))
    let chunkTiles = stripsPerChunk * tilesW
    let chunks = (strips + stripsPerChunk - 1) / stripsPerChunk
    let span = tilesW * m + alpha - m                 // padded input columns a strip reads
    let phaseLength = (span + m - 1) / m, phasedSpan = m * phaseLength

    let u = transformedKernel(weight, outputChannels: O, channels: C, transform: t)
    let bt = WinogradTransform.sparseRows(t.inputTransform, rows: alpha, columns: alpha)
    let at = WinogradTransform.sparseRows(t.outputTransform, rows: m, columns: alpha)
    let btScalars = bt.map { $0.map { ($0.column, Scalar($0.value)) } }
    let atScalars = at.map { $0.map { ($0.column, Scalar($0.value)) } }

    // Per worker: V (positions, C, chunkTiles), M (positions, O, chunkTiles), the strip's
    // padded rows by phase (alpha, m, phaseLength), one row combination by phase (m,
    // phaseLength), the column-transformed products (alpha, m, tilesW) and one output row (tilesW).
    let vCount = positions * C * chunkTiles, mCount = positions * O * chunkTiles
    let rowsCount = alpha * phasedSpan, qCount = alpha * m * tilesW
    let scratchCount = vCount + mCount + rowsCount + phasedSpan + qCount + tilesW
    let workers = min(chunks, Parallel.workers(forWork: N * O * C * OH * OW * r * r))
    u.withUnsafeBufferPointer { up in
        withScratch(workspace, count: scratchCount, workers: workers) { scratches in
            Parallel.run(workers: workers) { worker in
                let v = scratches[worker], products = v + vCount, rows = products + mCount
                let phases = rows + rowsCount, q = phases + phasedSpan, finished = q + qCount
                for chunk in stride(from: worker, to: chunks, by: workers) {
                    let firstStrip = chunk * stripsPerChunk
                    let stripCount = min(stripsPerChunk, strips - firstStrip)
                    let tiles = stripCount * tilesW
                    // Input transform: V[position][c][tile].
                    for s in 0..<stripCount {
                        let (n, th) = ((firstStrip + s) / tilesH, (firstStrip + s) % tilesH)
                        for c in 0..<C {
                            let plane = x + (n * C + c) * H * W
                            // The strip's alpha input rows, each split by column phase: rows[a][p][k]
                            // holds padded column k m + p. The row transform is the same for every
                            // column, so it runs on this layout and yields the phases directly.
                            for a in 0..<alpha {
                                let row = rows + a * phasedSpan, inputRow = th * m - P + a
                                guard inputRow >= 0 && inputRow < H else { row.update(repeating: 0, count: phasedSpan); continue }
                                let source = plane + inputRow * W
                                for p in 0..<m {
                                    // Padded column k m + p is input column k m + p - P: inside for k in first..<end.
                                    let target = row + p * phaseLength
                                    let first = min(phaseLength, max(0, (P - p + m - 1) / m))
                                    let end = max(first, min(phaseLength, (W + P - p + m - 1) / m))
                                    target.update(repeating: 0, count: first)
                                    var column = first * m + p - P
                                    for k in first..<end { target[k] = source[column]; column += m }
                                    (target + end).update(repeating: 0, count: phaseLength - end)
                                }
                            }
                            for xi in 0..<alpha {
                                combine(btScalars[xi], rows: rows, stride: phasedSpan, count: phasedSpan, into: phases)
                                for nu in 0..<alpha {
                                    let target = v + ((xi * alpha + nu) * C + c) * chunkTiles + s * tilesW
                                    target.update(repeating: 0, count: tilesW)
                                    for (b, coefficient) in btScalars[nu] {
                                        let source = phases + (b % m) * phaseLength + b / m
                                        for tw in 0..<tilesW { target[tw] += coefficient * source[tw] }
                                    }
                                }
                            }
                        }
                    }
                    // One GEMM per position: (O, C) x (C, tiles) -> (O, tiles).
                    for p in 0..<positions {
                        BLAS.gemm(m: O, n: tiles, k: C, a: up.baseAddress! + p * O * C, lda: C,
                                  b: UnsafePointer(v + p * C * chunkTiles), ldb: chunkTiles,
                                  c: products + p * O * chunkTiles, ldc: chunkTiles)
                    }
                    // Output transform: A^T M A, clipped at the image's edge.
                    for s in 0..<stripCount {
                        let (n, th) = ((firstStrip + s) / tilesH, (firstStrip + s) % tilesH)
                        for o in 0..<O {
                            // q[xi][i][tw] = sum over nu of A^T[i][nu] M[xi, nu][o][tile]
                            for xi in 0..<alpha {
                                let row = products + (xi * alpha * O + o) * chunkTiles + s * tilesW  // M[xi, 0][o]; nu steps O x chunkTiles
                                for i in 0..<m {
                                    combine(atScalars[i], rows: row, stride: O * chunkTiles, count: tilesW, into: q + (xi * m + i) * tilesW)
                                }
                            }
                            for i2 in 0..<m {
                                let outputRow = th * m + i2
                                guard outputRow < OH else { break }
                                let destination = y + ((n * O + o) * OH + outputRow) * OW
                                for i in 0..<m {
                                    combine(atScalars[i2], rows: q + i * tilesW, stride: m * tilesW, count: tilesW, into: finished)
                                    var tw = 0, column = i
                                    while column < OW { destination[column] = finished[tw]; tw += 1; column += m }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// target[j] = sum over the row's entries of value x rows[column * stride + j], j < count.
@inline(__always)
private func combine<Scalar: TensorScalar>(_ row: [(Int, Scalar)], rows: UnsafePointer<Scalar>, stride: Int, count: Int,
                                          into target: UnsafeMutablePointer<Scalar>) {
    target.update(repeating: 0, count: count)
    for (a, coefficient) in row {
        let source = rows + a * stride
        for j in 0..<count { target[j] += coefficient * source[j] }
    }
}

/// U = G g G^T for every (o, c), laid out (alpha^2, O, C): the left operands of the GEMMs.
/// Computed in Double whatever the scalar, so Float loses nothing to the transform itself.
private func transformedKernel<Scalar: TensorScalar>(_ weight: UnsafePointer<Scalar>, outputChannels O: Int, channels C: Int,
                                                    transform t: WinogradTransform) -> [Scalar] {
    let r = t.kernel, alpha = t.inputTile, positions = alpha * alpha
    let g = t.kernelTransform
    var u = [Scalar](repeating: 0, count: positions * O * C)
    u.withUnsafeMutableBufferPointer { up in
        let target = up.baseAddress!
        Parallel.forEachChunk(count: O, work: O * C * positions * r * 2) { outputs in
            var gg = [Double](repeating: 0, count: alpha * r)
            for o in outputs {
                for c in 0..<C {
                    let kernel = weight + (o * C + c) * r * r
                    // gg = G g (alpha, r)
                    for i in 0..<alpha {
                        for k in 0..<r {
                            var sum = 0.0
                            for l in 0..<r { sum += g[i * r + l] * Double(kernel[l * r + k]) }
                            gg[i * r + k] = sum
                        }
                    }
                    // (G g) G^T (alpha, alpha)
                    for i in 0..<alpha {
                        for j in 0..<alpha {
                            var sum = 0.0
                            for k in 0..<r { sum += gg[i * r + k] * g[j * r + k] }
                            target[((i * alpha + j) * O + o) * C + c] = Scalar(sum)
                        }
                    }
                }
            }
        }
    }
    return u
}
