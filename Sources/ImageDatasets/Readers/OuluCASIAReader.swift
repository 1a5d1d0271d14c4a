import Foundation

/// Reads Oulu-CASIA as one folder per subject holding one folder of frames per expression
/// (`root/P001/Anger/000.jpeg`, ...), such as the cropped VIS "Strong" subset the paper uses
/// (point `root` at the folder of subject folders).
///
/// The paper's protocol: the last three frames of each sequence, person-independent folds
/// by subject. Expression folders are matched by name (Anger, Disgust, Fear, Happiness,
/// Sadness, Surprise, in any case, short forms accepted); the classes are the six basic
/// emotions in the library's order (Happy, Sad, Surprise, Fear, Disgust, Anger).
public enum OuluCASIAReader {
    /// The class names in label order.
    public static let classNames = Expression.basicSix.map(\.name)

    /// - Throws: ``DatasetError`` naming the folder for a missing root or one without subject
    ///   folders, and (skippable with `badSamples`) an expression folder with an unknown name,
    ///   a subject without expression folders, or a sequence with too few frames.
    public static func read(_ root: URL, side: Int, frames: SequenceFrameSelection = .paper,
                            badSamples: BadSamplePolicy = .fail) throws -> FileImageDataset {
        try frames.validate(operation: "OuluCASIAReader")
        let subjects = try FolderListing.subfolders(of: root)
        guard !subjects.isEmpty else {
            throw DatasetError.emptyFolder(path: root.path, expected: "one folder per subject (P001, ...) of expression folders")
        }
        var records = [ImageRecord]()
        var skipped = SkippedSamples()
        for subjectFolder in subjects {
            let subject = subjectFolder.lastPathComponent
            let sequences = try FolderListing.subfolders(of: subjectFolder)
            if sequences.isEmpty {
                try skipped.handle(.emptyFolder(path: subjectFolder.path, expected: "expression folders (Anger, Disgust, ...)"), policy: badSamples)
                continue
            }
            for sequenceFolder in sequences {
                let name = sequenceFolder.lastPathComponent
                do {
                    guard let expression = Expression(name: name), let label = classNames.firstIndex(of: expression.name) else {
                        throw DatasetError.unknownLabel(path: sequenceFolder.path, line: nil, found: name, expected: classNames)
                    }
                    let frameFiles = try FolderListing.files(of: sequenceFolder).filter(FolderListing.isImageFile)
                    guard let chosen = frames.select(frameFiles) else {
                        throw DatasetError.malformedFile(
                            path: sequenceFolder.path, reason: "expected at least \(frames.framesNeeded) frames (PNG or JPEG), found \(frameFiles.count)")
                    }
                    for (position, file) in zip(chosen.indices, chosen) {
                        let annotation = SampleAnnotation(subject: subject, sequence: "\(subject)/\(name)", frame: position + 1)
                        records.append(ImageRecord(url: file, label: label, annotation: annotation))
                    }
                } catch let error as DatasetError {
                    try skipped.handle(error, policy: badSamples)
                }
            }
        }
        guard !records.isEmpty else {
            throw DatasetError.emptyFolder(path: root.path, expected: "subject folders with expression sequences (\(skipped))")
        }
        return try FileImageDataset(records: records, classNames: classNames, side: side, skipped: skipped, badSamplePolicy: badSamples)
    }
}
