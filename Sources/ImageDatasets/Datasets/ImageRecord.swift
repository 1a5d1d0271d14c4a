import Foundation

/// One sample of a file-backed dataset: where its image is and what it is, before decoding.
public struct ImageRecord: Sendable, Equatable {
    /// The image file (PNG or JPEG).
    public var url: URL
    /// Class index into the dataset's class names.
    public var label: Int
    /// Subject, sequence and frame, where known.
    public var annotation: SampleAnnotation
    /// The region to keep, in the file's pixel coordinates (a face box with its margin);
    /// nil keeps the whole image.
    public var crop: FaceBox?

    /// A record; by default without annotation or crop.
    public init(url: URL, label: Int, annotation: SampleAnnotation = SampleAnnotation(), crop: FaceBox? = nil) {
        self.url = url
        self.label = label
        self.annotation = annotation
        self.crop = crop
    }
}
