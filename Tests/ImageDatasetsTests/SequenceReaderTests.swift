import Foundation
import Testing
import TestSupport
@testable import ImageDatasets

/// A CK+ tree the tests write: each frame's brightness is 20 x its frame number, with a
/// brighter 12x12 "face" whose corners are the frame's landmarks.
struct CKPlusFixture {
    let root: URL

    init(_ label: String) throws {
        root = try temporaryDirectory(label)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// Writes sequence `subject/sequence` with `frames` frames, an Emotion file with `code`
    /// (none when nil) and landmarks for every frame.
    func addSequence(_ subject: String, _ sequence: String, frames: Int, code: String?, landmarks: Bool = true) throws {
        for frame in 1...frames {
            let stem = "\(subject)_\(sequence)_\(String(format: "%08d", frame))"
            let level = 20 * frame
            try writeData(PNGEncoder.encode(grayImage(width: 32, height: 24) { x, y in
                (10..<22).contains(x) && (6..<18).contains(y) ? min(level + 100, 255) : level
            }), to: "cohn-kanade-images/\(subject)/\(sequence)/\(stem).png", in: root)
            if landmarks {
                try writeText("   1.0000000e+01   6.0000000e+00\n   2.1000000e+01   6.0000000e+00\n   1.0000000e+01   1.7000000e+01\n   2.1000000e+01   1.7000000e+01\n",
                              to: "Landmarks/\(subject)/\(sequence)/\(stem)_landmarks.txt", in: root)
            }
        }
        let peak = "\(subject)_\(sequence)_\(String(format: "%08d", frames))"
        if let code {
            try writeText("   \(code)\n", to: "Emotion/\(subject)/\(sequence)/\(peak)_emotion.txt", in: root)
        } else {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("Emotion/\(subject)/\(sequence)"), withIntermediateDirectories: true)
        }
    }
}

@Suite("CK+ and Oulu-CASIA sequences")
struct SequenceReaderTests {
    @Test("CK+: last three frames of labelled sequences, codes mapped, contempt counted, subjects kept")
    func ckPlusPaperProtocol() throws {
        let fixture = try CKPlusFixture("ckplus")
        defer { fixture.remove() }
        try fixture.addSequence("S005", "001", frames: 6, code: "5.0000000e+00")  // happy
        try fixture.addSequence("S005", "002", frames: 4, code: "2.0000000e+00")  // contempt
        try fixture.addSequence("S010", "003", frames: 5, code: "7.0000000e+00")  // surprise
        try fixture.addSequence("S010", "004", frames: 5, code: nil)  // unlabelled
        let dataset = try CKPlusReader.read(fixture.root, side: 8, crop: nil)
        #expect(dataset.classNames == ["Happy", "Sad", "Surprise", "Fear", "Disgust", "Anger"])
        #expect(dataset.labels == [0, 0, 0, 2, 2, 2])
        #expect(dataset.annotations.map(\.frame) == [4, 5, 6, 3, 4, 5])
        #expect(dataset.annotations.map(\.subject) == ["S005", "S005", "S005", "S010", "S010", "S010"])
        #expect(dataset.annotations[0].sequence == "S005/001")
        #expect(dataset.excludedByProtocol == ["Contempt": 3])
        // Frame 4 without the crop: mostly background at 80/255.
        let frame4 = try dataset.image(at: 0)
        #expect(frame4.frame == 4 && frame4.pixels.min().map { abs($0 - 80 / 255) < 1e-5 } == true)

        let withContempt = try CKPlusReader.read(fixture.root, side: 8, classes: .sixBasicAndContempt, crop: nil)
        #expect(withContempt.classNames.last == "Contempt" && withContempt.labels.filter { $0 == 6 }.count == 3)
        let withNeutral = try CKPlusReader.read(fixture.root, side: 8, classes: .sixBasicAndNeutral, crop: nil)
        #expect(withNeutral.classNames == Expression.allCases.map(\.name))
        #expect(withNeutral.labels == [0, 1, 1, 1, 0, 3, 3, 3])
        #expect(withNeutral.annotations[0].frame == 1)
    }

    @Test("CK+: the landmark crop keeps the face with a 15% margin, squared")
    func ckPlusCrop() throws {
        let fixture = try CKPlusFixture("ckplus-crop")
        defer { fixture.remove() }
        try fixture.addSequence("S005", "001", frames: 3, code: "1")
        let dataset = try CKPlusReader.read(fixture.root, side: 8)
        // Landmarks span x 10...21, y 6...17: an 11x11 box, grown by 1.65 on every side.
        let box = try #require(dataset.records[0].crop)
        #expect(abs(box.x - 8.35) < 1e-9 && abs(box.y - 4.35) < 1e-9 && abs(box.width - 14.3) < 1e-9 && abs(box.height - 14.3) < 1e-9)
        let sample = try dataset.image(at: 0)
        #expect(sample.label == Expression.basicSix.firstIndex(of: .anger) && sample.side == 8)
        let centre = sample.pixels[3 * 8 + 3]
        #expect(abs(centre - 120 / 255) < 1e-5)  // frame 1: face at 20 + 100
    }

    @Test("CK+ sequence-consistency frames: the peak and the four before it")
    func ckPlusSequenceConsistency() throws {
        let fixture = try CKPlusFixture("ckplus-seq")
        defer { fixture.remove() }
        try fixture.addSequence("S005", "001", frames: 7, code: "3")
        try fixture.addSequence("S006", "001", frames: 5, code: "4")
        let dataset = try CKPlusReader.read(fixture.root, side: 8, frames: .peakAndPreceding(4), crop: nil)
        #expect(dataset.count == 10)
        let split = try SequenceConsistencySplit(dataset: dataset)
        #expect(split.peakIndices == [4, 9])
        #expect(split.precedingIndices == [[0, 1, 2, 3], [5, 6, 7, 8]])
        #expect(dataset.annotations[4].frame == 7 && dataset.annotations[0].frame == 3)
        expectDatasetError(mentioning: "no sequence", { _ = try SequenceConsistencySplit(annotations: [SampleAnnotation(subject: "S1")]) }) { _ in true }
    }

    @Test("CK+ errors: missing folders, bad Emotion file, too few frames, bad or missing landmarks; skip counts them")
    func ckPlusErrors() throws {
        let fixture = try CKPlusFixture("ckplus-bad")
        defer { fixture.remove() }
        expectDatasetError(mentioning: "cohn-kanade-images", { _ = try CKPlusReader.read(fixture.root, side: 8) }) {
            if case .missingFile = $0 { return true }
            return false
        }
        try fixture.addSequence("S001", "001", frames: 4, code: "5")
        try fixture.addSequence("S002", "001", frames: 4, code: "happy")
        try fixture.addSequence("S003", "001", frames: 2, code: "5")
        try fixture.addSequence("S004", "001", frames: 4, code: "5", landmarks: false)
        try fixture.addSequence("S005", "001", frames: 4, code: "9")
        try fixture.addSequence("S006", "001", frames: 4, code: "5")
        try writeText("1.0 2.0\n3.0\n", to: "Landmarks/S006/001/S006_001_00000004_landmarks.txt", in: fixture.root)
        try writeText("5\n", to: "Emotion/S007/001/S007_001_00000003_emotion.txt", in: fixture.root)  // no frames at all

        let skipped = try CKPlusReader.read(fixture.root, side: 8, badSamples: .skip)
        #expect(skipped.count == 3 && skipped.skipped.count == 6)
        let emotion = "Emotion/S002/001/S002_001_00000004_emotion.txt"
        expectDatasetError(mentioning: "\(emotion):1", { _ = try CKPlusReader.read(fixture.root, side: 8) }) { errorLine($0) == 1 }
        let reasons = skipped.skipped.errors.map(\.description)
        #expect(reasons[1].contains("S003/001") && reasons[1].contains("at least 3 frames (PNG or JPEG), found 2"))
        #expect(reasons[2].contains("S004_001_00000002_landmarks.txt") && reasons[2].contains("crop: nil"))
        #expect(reasons[3].contains("S005_001_00000004_emotion.txt") && reasons[3].contains("\"9\""))
        #expect(reasons[4].contains("S006_001_00000004_landmarks.txt:2"))
        #expect(reasons[5].contains("cohn-kanade-images/S007/001"))
        expectDatasetError({ _ = try CKPlusReader.read(fixture.root, side: 8, frames: .lastFrames(0)) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
    }

    /// Writes an Oulu-CASIA subject with the given expression folders of `frames` JPEG frames.
    private func addOuluSubject(_ subject: String, expressions: [String], frames: Int, in root: URL) throws {
        for expression in expressions {
            for frame in 0..<frames {
                try writeData(JPEGEncoder.encode(grayImage(width: 8, height: 8) { _, _ in 20 * frame + 10 }),
                              to: "\(subject)/\(expression)/\(String(format: "%03d", frame)).jpeg", in: root)
            }
        }
    }

    @Test("Oulu-CASIA: last three frames per subject and expression")
    func oulu() throws {
        let root = try temporaryDirectory("oulu")
        defer { try? FileManager.default.removeItem(at: root) }
        try addOuluSubject("P001", expressions: ["Anger", "Happiness"], frames: 12, in: root)
        try addOuluSubject("P002", expressions: ["Surprise"], frames: 3, in: root)
        let dataset = try OuluCASIAReader.read(root, side: 4)
        #expect(dataset.classNames == ["Happy", "Sad", "Surprise", "Fear", "Disgust", "Anger"])
        #expect(dataset.labels == [5, 5, 5, 0, 0, 0, 2, 2, 2])
        #expect(dataset.annotations[0] == SampleAnnotation(subject: "P001", sequence: "P001/Anger", frame: 10))
        #expect(try dataset.image(at: 2).pixels.allSatisfy { abs($0 - 230 / 255) < 0.03 })  // frame 011
        let consistency = try OuluCASIAReader.read(root, side: 4, frames: .peakAndPreceding(4), badSamples: .skip)
        #expect(consistency.count == 10 && consistency.skipped.count == 1)  // P002 has only 3 frames
    }

    @Test("Oulu-CASIA errors: empty root, unknown expression, too few frames, subject without sequences")
    func ouluErrors() throws {
        let root = try temporaryDirectory("oulu-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        expectDatasetError(mentioning: root.lastPathComponent, { _ = try OuluCASIAReader.read(root, side: 4) }) {
            if case .emptyFolder = $0 { return true }
            return false
        }
        try addOuluSubject("P001", expressions: ["Anger"], frames: 4, in: root)
        try addOuluSubject("P002", expressions: ["Boredom"], frames: 4, in: root)
        try addOuluSubject("P003", expressions: ["Fear"], frames: 2, in: root)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("P004"), withIntermediateDirectories: true)
        expectDatasetError(mentioning: "Boredom", { _ = try OuluCASIAReader.read(root, side: 4) }) {
            if case .unknownLabel = $0 { return true }
            return false
        }
        let skipped = try OuluCASIAReader.read(root, side: 4, badSamples: .skip)
        #expect(skipped.count == 3 && skipped.skipped.count == 3)
        #expect(skipped.skipped.errors[1].description.contains("P003/Fear"))
        #expect(skipped.skipped.errors[2].description.contains("P004"))
    }
}
