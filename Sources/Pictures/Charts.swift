import Foundation

/// The pictures of a run, drawn on a ``Canvas``.
public enum Charts {
    /// One named series of (x, y) points.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) { self.name = name; self.points = points }
    }

    /// Line chart of several series with axes, tick labels, a title and a legend.
    public static func lineChart(title: String, xLabel: String, series: [Series], width: Int = 640, height: Int = 400) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        let left = 60, right = 20, top = 30, bottom = 40
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let all = series.flatMap(\.points).filter { $0.y.isFinite && $0.x.isFinite }
        canvas.text(title, x: left, y: 10, scale: 2)
        guard let minX0 = all.map(\.x).min(), let maxX0 = all.map(\.x).max(),
              let minY0 = all.map(\.y).min(), let maxY0 = all.map(\.y).max() else { return canvas }
        let (minX, maxX) = minX0 == maxX0 ? (minX0 - 1, maxX0 + 1) : (minX0, maxX0)
        let pad = (maxY0 - minY0) * 0.05
        let (minY, maxY) = minY0 == maxY0 ? (minY0 - 1, maxY0 + 1) : (minY0 - pad, maxY0 + pad)
        func px(_ x: Double) -> Int { left + Int((x - minX) / (maxX - minX) * Double(plotWidth)) }
        func py(_ y: Double) -> Int { top + plotHeight - Int((y - minY) / (maxY - minY) * Double(plotHeight)) }
        // Axes and ticks.
        canvas.line(left, top, left, top + plotHeight, color: .black)
        canvas.line(left, top + plotHeight, left + plotWidth, top + plotHeight, color: .black)
        for i in 0...4 {
            let y = minY + (maxY - minY) * Double(i) / 4
            canvas.line(left - 4, py(y), left + plotWidth, py(y), color: i == 0 ? .black : .gray)
            canvas.text(format(y), x: 2, y: py(y) - 3)
            let x = minX + (maxX - minX) * Double(i) / 4
            canvas.text(format(x), x: px(x) - 6, y: top + plotHeight + 6)
        }
        canvas.text(xLabel, x: left + plotWidth / 2 - Canvas.textWidth(xLabel) / 2, y: height - 12)
        // Series and legend.
        for (index, s) in series.enumerated() {
            let color = Canvas.Color.series[index % Canvas.Color.series.count]
            let points = s.points.filter { $0.y.isFinite && $0.x.isFinite }
            for (a, b) in zip(points, points.dropFirst()) { canvas.line(px(a.x), py(a.y), px(b.x), py(b.y), color: color, thickness: 2) }
            for p in points { canvas.fill(x: px(p.x) - 2, y: py(p.y) - 2, width: 5, height: 5, color: color) }
            let legendY = top + 6 + index * 12
            canvas.fill(x: left + plotWidth - 150, y: legendY, width: 10, height: 7, color: color)
            canvas.text(s.name, x: left + plotWidth - 136, y: legendY)
        }
        return canvas
    }

    /// Two histograms over the same bins (`edges` has one more element than each count array),
    /// each drawn as shares of its own total so both are visible however unequal the groups,
    /// with `auroc` in the title.
    public static func scoreDistributions(edges: [Double], clean: [Int], flipped: [Int], auroc: Double, title: String) -> Canvas {
        func shares(_ counts: [Int]) -> [(x: Double, y: Double)] {
            let total = Double(max(1, counts.reduce(0, +)))
            return counts.indices.filter { $0 + 1 < edges.count }.map { ((edges[$0] + edges[$0 + 1]) / 2, Double(counts[$0]) / total) }
        }
        return lineChart(title: "\(title) (AUROC \(String(format: "%.3f", auroc)))", xLabel: "SCORE",
                         series: [Series(name: "clean labels", points: shares(clean)),
                                  Series(name: "flipped labels", points: shares(flipped))])
    }

    /// A confusion matrix as a heat map (row-normalised shading) with counts in each cell;
    /// `counts[truth][prediction]`, one row and one column per class.
    public static func confusionMatrix(counts: [[Int]], classNames: [String], title: String) -> Canvas {
        let k = counts.count
        let cell = max(28, 6 * 6 + 4), labelWidth = 6 * 10 + 8
        var canvas = Canvas(width: labelWidth + k * cell + 20, height: 40 + labelWidth + k * cell)
        canvas.text(title, x: 8, y: 8, scale: 2)
        let top = 40 + 12
        for (truth, row) in counts.enumerated() {
            let total = max(1, row.reduce(0, +))
            canvas.text(String(name(classNames, truth).prefix(10)), x: 4, y: top + truth * cell + cell / 2 - 3)
            for (prediction, count) in row.enumerated() {
                let share = Double(count) / Double(total)
                let shade = UInt8(255 - Int(share * 200))
                let x = labelWidth + prediction * cell, y = top + truth * cell
                canvas.fill(x: x, y: y, width: cell - 1, height: cell - 1, color: Canvas.Color(shade, shade, 255))
                let text = "\(count)"
                canvas.text(text, x: x + (cell - Canvas.textWidth(text)) / 2, y: y + cell / 2 - 3, color: share > 0.6 ? .white : .black)
            }
        }
        for prediction in 0..<k {
            canvas.text(String(name(classNames, prediction).prefix(4)), x: labelWidth + prediction * cell + 2, y: top + k * cell + 4)
        }
        canvas.text("ROWS: TRUTH, COLUMNS: PREDICTION", x: 4, y: top - 12)
        return canvas
    }

    /// The Fig. 3 grid: one row per original image: the original, its reconstruction and
    /// several semantic neighbours. Images are side x side in [0, 1].
    public static func neighborGrid(rows: [(original: [Float], reconstruction: [Float], neighbors: [[Float]])], side: Int, scale: Int = 1) -> Canvas {
        let tile = side * scale + 4
        let columns = 2 + (rows.map(\.neighbors.count).max() ?? 0)
        var canvas = Canvas(width: columns * tile + 4, height: rows.count * tile + 20)
        canvas.text("ORIGINAL  RECON.  NEIGHBOURS", x: 4, y: 4)
        for (r, row) in rows.enumerated() {
            let y = 16 + r * tile
            for (c, image) in ([row.original, row.reconstruction] + row.neighbors).enumerated() {
                canvas.drawGray(image, side: side, x: 4 + c * tile, y: y, scale: scale)
            }
        }
        return canvas
    }

    private static func name(_ names: [String], _ index: Int) -> String { index < names.count ? names[index] : "\(index)" }

    static func format(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 100 { return String(format: "%.0f", value) }
        if magnitude >= 1 { return String(format: "%.2f", value) }
        return String(format: "%.3f", value)
    }
}
