extension GrayImage {
    /// The images laid out in rows of `columns`, left to right then top to bottom, each cell
    /// as large as the largest image, with `spacing` pixels of `background` between and
    /// around them: one picture of many samples (originals beside their neighbours, say).
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for no images, fewer
    ///   than one column, or a negative spacing.
    public static func grid(of images: [GrayImage], columns: Int, spacing: Int = 2, background: Float = 1) throws -> GrayImage {
        guard !images.isEmpty, columns >= 1, spacing >= 0 else {
            throw DatasetError.invalidArgument(
                operation: "GrayImage.grid", message: "expected images, at least 1 column and a spacing of at least 0, got \(images.count), \(columns), \(spacing)")
        }
        let cellWidth = images.map(\.width).max()!, cellHeight = images.map(\.height).max()!
        let rows = (images.count + columns - 1) / columns
        let usedColumns = min(columns, images.count)
        let width = usedColumns * cellWidth + (usedColumns + 1) * spacing
        let height = rows * cellHeight + (rows + 1) * spacing
        var pixels = [Float](repeating: background, count: width * height)
        for (index, image) in images.enumerated() {
            let left = spacing + (index % columns) * (cellWidth + spacing)
            let top = spacing + (index / columns) * (cellHeight + spacing)
            for y in 0..<image.height {
                for x in 0..<image.width { pixels[(top + y) * width + left + x] = image.pixels[y * image.width + x] }
            }
        }
        return GrayImage(uncheckedWidth: width, height: height, pixels: pixels)
    }
}
