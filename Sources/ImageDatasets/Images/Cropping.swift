extension GrayImage {
    /// The part of the image inside `box`, with the box first clipped to the image and its
    /// edges rounded outwards to whole pixels. Nil when the box and the image do not overlap.
    public func cropped(to box: FaceBox) -> GrayImage? {
        guard box.width.isFinite, box.height.isFinite, box.x.isFinite, box.y.isFinite else { return nil }
        // Clipped while still Double: a finite box far outside (x = 1e300, or x + width
        // overflowing to infinity) must not reach Int(_:), which traps beyond Int's range.
        func clip(_ value: Double, to limit: Int) -> Int { Int(min(max(value, 0), Double(limit))) }
        let left = clip(box.x.rounded(.down), to: width)
        let top = clip(box.y.rounded(.down), to: height)
        let right = clip((box.x + box.width).rounded(.up), to: width)
        let bottom = clip((box.y + box.height).rounded(.up), to: height)
        guard right > left, bottom > top else { return nil }
        let cropWidth = right - left
        var output = [Float]()
        output.reserveCapacity(cropWidth * (bottom - top))
        for y in top..<bottom {
            output.append(contentsOf: pixels[(y * width + left)..<(y * width + right)])
        }
        return GrayImage(uncheckedWidth: cropWidth, height: bottom - top, pixels: output)
    }
}
