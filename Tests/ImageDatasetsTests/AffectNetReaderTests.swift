import Foundation
import Testing
import TestSupport
@testable import ImageDatasets

@Suite("AffectNet annotations")
struct AffectNetReaderTests {
    private let header = "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal"

    /// A 20x20 black image with a white 10x10 face at (5, 5).
    private func writeFace(_ name: String, in root: URL) throws {
        try writeData(PNGEncoder.encode(grayImage(width: 20, height: 20) { x, y in (5..<15).contains(x) && (5..<15).contains(y) ? 255 : 0 }),
                      to: name, in: root)
    }

    @Test("the seven classes keep AffectNet's codes, the others are counted, faces are cropped")
    func readsAnnotations() throws {
        let root = try temporaryDirectory("affectnet")
        defer { try? FileManager.default.removeItem(at: root) }
        for code in 0...10 { try writeFace("images/1/\(code).png", in: root) }
        let rows = (0...10).map { "1/\($0).png,5,5,10,10,1.0;2.0;3.0,\($0),0.5,-0.2" }
        let csv = try writeText(([header] + rows).joined(separator: "\n"), to: "training.csv", in: root)
        let dataset = try AffectNetReader.read(annotations: csv, imagesRoot: root.appendingPathComponent("images"), side: 4)
        #expect(dataset.classNames == ["Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust", "Anger"])
        #expect(dataset.labels == Array(0...6))
        #expect(dataset.excludedByProtocol == ["Contempt": 1, "None": 1, "Uncertain": 1, "Non-Face": 1])
        #expect(try dataset.image(at: 0).pixels.allSatisfy { $0 == 1 })  // only the white face is left

        let whole = try AffectNetReader.read(annotations: csv, imagesRoot: root.appendingPathComponent("images"), side: 4, cropToFace: false)
        #expect(try whole.image(at: 0).pixels.contains { $0 < 1 })
    }

    @Test("bad rows name file and line: unknown code, bad face box, missing image, empty path; skip counts them")
    func badRows() throws {
        let root = try temporaryDirectory("affectnet-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        try writeFace("ok.png", in: root)
        let rows = [header, "ok.png,5,5,10,10,,1,0,0", "ok.png,5,5,10,10,,12,0,0", "ok.png,5,5,-1,10,,1,0,0",
                    "ok.png,a,5,10,10,,1,0,0", "gone.png,5,5,10,10,,1,0,0", ",5,5,10,10,,1,0,0", "ok.png,5,5"]
        let csv = try writeText(rows.joined(separator: "\n"), to: "a.csv", in: root)
        let skipped = try AffectNetReader.read(annotations: csv, imagesRoot: root, side: 4, badSamples: .skip)
        #expect(skipped.count == 1 && skipped.skipped.count == 6)
        expectDatasetError(mentioning: "a.csv:3", { _ = try AffectNetReader.read(annotations: csv, imagesRoot: root, side: 4) }) {
            if case .unknownLabel(_, 3, "12", _) = $0 { return true }
            return false
        }
        for line in [4, 5, 7, 8] {
            let single = try writeText([header, rows[line - 1]].joined(separator: "\n"), to: "l\(line).csv", in: root)
            expectDatasetError(mentioning: "l\(line).csv:2", { _ = try AffectNetReader.read(annotations: single, imagesRoot: root, side: 4) }) {
                errorLine($0) == 2
            }
        }
        let missing = try writeText([header, rows[5]].joined(separator: "\n"), to: "missing.csv", in: root)
        expectDatasetError(mentioning: "gone.png", { _ = try AffectNetReader.read(annotations: missing, imagesRoot: root, side: 4) }) {
            if case .missingFile(_, let hint) = $0 { return hint.contains("missing.csv line 2") }
            return false
        }
        let noExpression = try writeText("subDirectory_filePath,face_x\nok.png,1\n", to: "noexpr.csv", in: root)
        expectDatasetError(mentioning: "\"expression\"", { _ = try AffectNetReader.read(annotations: noExpression, imagesRoot: root, side: 4) }) {
            errorLine($0) == 1
        }
        let offImage = try writeText([header, "ok.png,100,100,10,10,,1,0,0"].joined(separator: "\n"), to: "off.csv", in: root)
        let outside = try AffectNetReader.read(annotations: offImage, imagesRoot: root, side: 4)
        expectDatasetError(mentioning: "ok.png", { _ = try outside.image(at: 0) }) {
            if case .malformedFile = $0 { return true }
            return false
        }
    }
}
