import Foundation

/// Annotations read from file names, for image folders whose names carry them.
public enum FileNameAnnotation {
    /// CK+ frame names `S074_004_00000010.png`: subject "S074", sequence "S074/004", frame 10.
    /// Names of another form give an empty annotation.
    @Sendable public static func ckPlus(_ url: URL) -> SampleAnnotation {
        let parts = url.deletingPathExtension().lastPathComponent.split(separator: "_")
        guard parts.count >= 3, let frame = Int(parts[2]) else { return SampleAnnotation() }
        return SampleAnnotation(subject: String(parts[0]), sequence: "\(parts[0])/\(parts[1])", frame: frame)
    }
}
