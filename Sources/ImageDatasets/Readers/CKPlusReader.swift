import Foundation

/// Reads the Extended Cohn-Kanade dataset (CK+) as distributed:
///
///     root/cohn-kanade-images/S005/001/S005_001_00000001.png ...   frames
///     root/Emotion/S005/001/S005_001_00000011_emotion.txt          one code, e.g. "3.0000000e+00"
///     root/Landmarks/S005/001/S005_001_00000011_landmarks.txt      68 lines "x y"
///
/// Only the 327 sequences with an Emotion file are labelled. Following the paper, the last
/// three frames of each sequence labelled with a basic emotion are the samples, cropped to
/// the box around their landmarks grown by a 15% margin; the subject ("S005") is kept for
/// person-independent folds. Codes (``DatasetLabelCodes/ckPlus``): 0 neutral, 1 anger,
/// 2 contempt, 3 disgust, 4 fear, 5 happy, 6 sadness, 7 surprise.
public enum CKPlusReader {
    /// Which classes the dataset has.
    public enum ClassSet: Sendable, Equatable {
        /// The paper's protocol: the six basic emotions (Happy, Sad, Surprise, Fear, Disgust,
        /// Anger); Contempt sequences are left out and counted.
        case sixBasic
        /// The paper's seven classes: the six basic emotions and Neutral, taken from the first
        /// frame of each labelled sequence.
        case sixBasicAndNeutral
        /// The other common CK+ protocol: the six basic emotions and Contempt (last class).
        case sixBasicAndContempt

        /// The class names in label order.
        public var classNames: [String] {
            switch self {
            case .sixBasic: return Expression.basicSix.map(\.name)
            case .sixBasicAndNeutral: return Expression.allCases.map(\.name)
            case .sixBasicAndContempt: return Expression.basicSix.map(\.name) + ["Contempt"]
            }
        }
    }

    /// The crop around a frame's landmarks.
    public struct LandmarkCrop: Sendable, Equatable {
        /// Growth of the landmarks' box on every side, as a fraction of its size.
        public var margin: Double
        /// Whether to make the box square (longer side) so the resize keeps the face's proportions.
        public var square: Bool

        /// The paper's crop: a 15% margin, squared.
        public static let paper = LandmarkCrop(margin: 0.15, square: true)

        /// A crop with the given margin, squared or not.
        public init(margin: Double, square: Bool) {
            self.margin = margin
            self.square = square
        }
    }

    /// - Parameters:
    ///   - root: the folder holding `cohn-kanade-images`, `Emotion` and `Landmarks`.
    ///   - side: side of the square grayscale images the dataset returns; each (cropped) image
    ///     is resized to it (the paper: 112).
    ///   - classes: which protocol's classes to keep; default ``ClassSet/sixBasic`` (the paper's).
    ///   - frames: ``SequenceFrameSelection/paper`` for training and testing, or
    ///     `.peakAndPreceding(4)` for the sequence-consistency test.
    ///   - crop: the landmark crop, or nil for whole frames (then `Landmarks` is not needed).
    ///   - badSamples: ``BadSamplePolicy/fail`` (default) stops at the first bad sample;
    ///     ``BadSamplePolicy/skip`` leaves it out and records it in ``FileImageDataset/skipped``.
    /// - Throws: ``DatasetError`` naming the file (and line) for a missing folder, an
    ///   Emotion file that is not one code 0-7, a sequence without frames or with too few,
    ///   or a missing or malformed landmarks file (each sequence's problem skippable with `badSamples`).
    public static func read(_ root: URL, side: Int, classes: ClassSet = .sixBasic, frames: SequenceFrameSelection = .paper,
                            crop: LandmarkCrop? = .paper, badSamples: BadSamplePolicy = .fail) throws -> FileImageDataset {
        try frames.validate(operation: "CKPlusReader")
        let layout = "CK+ layout root/{cohn-kanade-images,Emotion,Landmarks}/Sxxx/yyy/"
        let emotionRoot = root.appendingPathComponent("Emotion")
        let imagesRoot = root.appendingPathComponent("cohn-kanade-images")
        let landmarksRoot = root.appendingPathComponent("Landmarks")
        try FolderListing.requireFolder(imagesRoot, hint: "expected the \(layout)")
        let names = classes.classNames
        var records = [ImageRecord]()
        var skipped = SkippedSamples()
        var excluded = [String: Int]()
        for subjectFolder in try FolderListing.subfolders(of: emotionRoot, hint: "expected the \(layout)") {
            let subject = subjectFolder.lastPathComponent
            for sequenceFolder in try FolderListing.subfolders(of: subjectFolder) {
                let sequence = sequenceFolder.lastPathComponent
                do {
                    let emotionFiles = try FolderListing.files(of: sequenceFolder).filter { $0.lastPathComponent.hasSuffix("_emotion.txt") }
                    guard !emotionFiles.isEmpty else { continue }  // an unlabelled sequence
                    guard emotionFiles.count == 1 else {
                        throw DatasetError.malformedFile(path: sequenceFolder.path, reason: "expected one *_emotion.txt, found \(emotionFiles.count)")
                    }
                    let code = try readEmotionCode(emotionFiles[0])
                    let label: Int
                    switch (DatasetLabelCodes.ckPlus[code]!, classes) {
                    case (nil, .sixBasicAndContempt):
                        label = names.count - 1
                    case (nil, _):
                        excluded["Contempt", default: 0] += frames.framesNeeded
                        continue
                    case (.neutral?, .sixBasicAndNeutral):
                        label = Expression.neutral.rawValue
                    case (.neutral?, _):
                        excluded["Neutral", default: 0] += frames.framesNeeded
                        continue
                    case (let expression?, _):
                        label = names.firstIndex(of: expression.name)!
                    }
                    let frameFolder = imagesRoot.appendingPathComponent(subject).appendingPathComponent(sequence)
                    let frameFiles = try FolderListing.files(of: frameFolder, hint: "the frames of the sequence labelled in \(emotionFiles[0].path)")
                        .filter(FolderListing.isImageFile)
                    guard let chosen = frames.select(frameFiles) else {
                        throw DatasetError.malformedFile(
                            path: frameFolder.path, reason: "expected at least \(frames.framesNeeded) frames (PNG or JPEG), found \(frameFiles.count)")
                    }
                    var sequenceRecords = [ImageRecord]()
                    func record(_ file: URL, label: Int, position: Int) throws -> ImageRecord {
                        let box = try crop.map { try landmarkBox(for: file, landmarksRoot: landmarksRoot, subject: subject, sequence: sequence, crop: $0) }
                        let annotation = SampleAnnotation(subject: subject, sequence: "\(subject)/\(sequence)",
                                                          frame: frameNumber(of: file) ?? position + 1)
                        return ImageRecord(url: file, label: label, annotation: annotation, crop: box)
                    }
                    if classes == .sixBasicAndNeutral, label != Expression.neutral.rawValue {
                        sequenceRecords.append(try record(frameFiles[0], label: Expression.neutral.rawValue, position: 0))
                    }
                    for (position, file) in zip(chosen.indices, chosen) {
                        sequenceRecords.append(try record(file, label: label, position: position))
                    }
                    records += sequenceRecords
                } catch let error as DatasetError {
                    try skipped.handle(error, policy: badSamples)
                }
            }
        }
        guard !records.isEmpty else {
            throw DatasetError.emptyFolder(path: emotionRoot.path, expected: "labelled sequences (Sxxx/yyy/*_emotion.txt) with frames (\(skipped))")
        }
        return try FileImageDataset(records: records, classNames: names, side: side, skipped: skipped, excludedByProtocol: excluded,
                                    badSamplePolicy: badSamples)
    }

    /// The code in an Emotion file: one number such as "   3.0000000e+00", a whole number 0-7.
    static func readEmotionCode(_ url: URL) throws -> Int {
        let text = String(decoding: try FileBytes.read(url), as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count == 1, let value = Double(lines[0]), value == value.rounded(), (0...7).contains(value) else {
            throw DatasetError.malformedRow(path: url.path, line: 1, expected: "one emotion code 0-7 (such as 3.0000000e+00)",
                                            found: lines.isEmpty ? "an empty file" : "\"\(lines.joined(separator: " / "))\"")
        }
        return Int(value)
    }

    /// The crop box of a frame: its landmarks' box with the margin, squared if asked.
    static func landmarkBox(for frame: URL, landmarksRoot: URL, subject: String, sequence: String, crop: LandmarkCrop) throws -> FaceBox {
        let file = landmarksRoot.appendingPathComponent(subject).appendingPathComponent(sequence)
            .appendingPathComponent(frame.deletingPathExtension().lastPathComponent + "_landmarks.txt")
        let points = try readLandmarks(file)
        var box = FaceBox(enclosing: points)!.expanded(byMargin: crop.margin)
        if crop.square { box = box.squared() }
        return box
    }

    /// The points of a landmarks file: one "x y" pair per line (CK+ has 68).
    static func readLandmarks(_ url: URL) throws -> [(x: Double, y: Double)] {
        let text = String(decoding: try FileBytes.read(url, hint: "the landmarks of a cropped frame (pass crop: nil for whole frames)"), as: UTF8.self)
        var points = [(x: Double, y: Double)]()
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let numbers = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if numbers.isEmpty { continue }
            guard numbers.count == 2, let x = Double(numbers[0]), let y = Double(numbers[1]), x.isFinite, y.isFinite else {
                throw DatasetError.malformedRow(path: url.path, line: offset + 1, expected: "two numbers \"x y\"", found: "\"\(line.trimmingCharacters(in: .whitespaces))\"")
            }
            points.append((x, y))
        }
        guard points.count >= 2 else {
            throw DatasetError.malformedFile(path: url.path, reason: "expected landmark lines \"x y\" (68 in CK+), found \(points.count)")
        }
        return points
    }

    /// The frame number at the end of a CK+ file name (`S005_001_00000011` -> 11).
    static func frameNumber(of url: URL) -> Int? {
        url.deletingPathExtension().lastPathComponent.split(separator: "_").last.flatMap { Int($0) }
    }
}
