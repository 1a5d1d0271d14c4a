import Foundation

/// Reads a folder holding one subfolder per class of PNG or JPEG files
/// (`root/Happy/0001.png`, `root/Sad/0002.jpg`, ...).
public enum ImageFolderReader {
    /// - Parameters:
    ///   - root: the folder holding one subfolder per class.
    ///   - side: side of the square grayscale images the dataset returns; each (cropped) image
    ///     is resized to it (the paper: 112).
    ///   - classNames: the classes in label order; nil takes the subfolder names in natural
    ///     order. With names given, a subfolder matches a class by name, in any case.
    ///   - annotate: derives subject, sequence and frame from a file's name (for example
    ///     ``FileNameAnnotation/ckPlus(_:)``); nil leaves them empty.
    ///   - badSamples: ``BadSamplePolicy/fail`` (default) stops at the first bad sample;
    ///     ``BadSamplePolicy/skip`` leaves it out and records it in ``FileImageDataset/skipped``.
    /// - Throws: ``DatasetError`` naming the folder or file for a missing root, a root
    ///   without class folders, and (unless `badSamples` is ``BadSamplePolicy/skip``) a
    ///   subfolder that is not a class, an empty class folder, a file that is not an image, or
    ///   a folder inside a class folder (they are not searched).
    public static func read(_ root: URL, side: Int, classNames: [String]? = nil,
                            annotate: (@Sendable (URL) -> SampleAnnotation)? = nil,
                            badSamples: BadSamplePolicy = .fail) throws -> FileImageDataset {
        if let classNames { try ClassNameValidation.validate(classNames, operation: "ImageFolderReader") }
        let folders = try FolderListing.subfolders(of: root)
        guard !folders.isEmpty else {
            throw DatasetError.emptyFolder(path: root.path, expected: "one subfolder per class holding image files")
        }
        var names = classNames ?? folders.map(\.lastPathComponent)
        // Folders are matched to classes in any case, so "Happy" and "happy" would be one class.
        if classNames == nil { try ClassNameValidation.validate(names, operation: "ImageFolderReader (\(root.path))") }
        var skipped = SkippedSamples()
        var records = [ImageRecord]()
        var emptyDerivedClasses = Set<String>()
        for folder in folders {
            let name = folder.lastPathComponent
            let files = try FolderListing.files(of: folder)
            guard let label = names.firstIndex(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) else {
                // Every file of a folder that is no class is reported, so the count is of samples.
                for file in files {
                    try skipped.handle(.unknownLabel(path: file.path, line: nil, found: name, expected: names), policy: badSamples)
                }
                continue
            }
            // Class folders are not searched recursively: say so rather than miss images quietly.
            for nested in try FolderListing.subfolders(of: folder) {
                try skipped.handle(.corruptImage(path: nested.path, reason: "expected an image file; subfolders of class folders are not read"),
                                   policy: badSamples)
            }
            var found = 0
            for file in files {
                guard FolderListing.isImageFile(file) else {
                    try skipped.handle(.corruptImage(path: file.path, reason: "expected an image file (.png, .jpg, .jpeg)"), policy: badSamples)
                    continue
                }
                records.append(ImageRecord(url: file, label: label, annotation: annotate?(file) ?? SampleAnnotation()))
                found += 1
            }
            if found == 0 {
                try skipped.handle(.emptyFolder(path: folder.path, expected: "image files (.png, .jpg, .jpeg) of class \(names[label])"),
                                   policy: badSamples)
                if classNames == nil { emptyDerivedClasses.insert(names[label]) }
            }
        }
        if !emptyDerivedClasses.isEmpty {
            // A class taken from an empty folder would have no samples: drop it and renumber.
            let kept = names.filter { !emptyDerivedClasses.contains($0) }
            let newLabel = Dictionary(kept.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            records = records.map { record in
                var record = record
                record.label = newLabel[names[record.label]]!
                return record
            }
            names = kept
        }
        guard !records.isEmpty else {
            throw DatasetError.emptyFolder(path: root.path, expected: "image files in the class folders (\(skipped))")
        }
        return try FileImageDataset(records: records, classNames: names, side: side, skipped: skipped, badSamplePolicy: badSamples)
    }
}
