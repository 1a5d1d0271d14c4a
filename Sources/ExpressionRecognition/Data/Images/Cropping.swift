extension GrayImage {
    /// The part of the image inside `box`, with the box first clipped to the image and its
    /// edges rounded outwards to whole pixels. Nil when the box and the image do not overlap.
    public func cropped(to box: FaceBox) -> GrayImage? {
        guard box.width.isFinite, box.height.isFinite, box.x.isFinite, box.y.isFinite else { return nil }
        let left = max(0, Int(box.x.rounded(.down)))
        let top = max(0, Int(box.y.rounded(.down)))
        let right = min(width, Int((box.x + box.width).rounded(.up)))
        let bottom = min(height, Int((box.y + box.height).rounded(.up)))
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
