import Foundation
import Testing
import TestSupport
@testable import ImageDatasets

@Suite("Image folders and manifests")
struct FolderAndManifestReaderTests {
    @Test("one folder per class of PNG and JPEG files, class names from the folders")
    func imageFolders() throws {
        let root = try temporaryDirectory("folders")
        defer { try? FileManager.default.removeItem(at: root) }
        try writeFlatPNG(level: 255, to: "Happy/a.png", in: root)
        try writeFlatPNG(level: 0, to: "Happy/b.png", in: root)
        try writeData(JPEGEncoder.encode(grayImage(width: 8, height: 8) { _, _ in 128 }), to: "Sad/S010_002_00000007.jpg", in: root)
        try writeText("ignored", to: ".DS_Store", in: root.appendingPathComponent("Sad"))
        let dataset = try ImageFolderReader.read(root, side: 4, annotate: FileNameAnnotation.ckPlus)
        #expect(dataset.classNames == ["Happy", "Sad"] && dataset.labels == [0, 0, 1])
        #expect(try dataset.image(at: 0).pixels.allSatisfy { $0 == 1 })
        let jpeg = try dataset.image(at: 2)
        #expect(jpeg.side == 4 && jpeg.pixels.allSatisfy { abs($0 - 128 / 255) < 0.02 })
        #expect(jpeg.subject == "S010" && jpeg.sequence == "S010/002" && jpeg.frame == 7)

        let named = try ImageFolderReader.read(root, side: 4, classNames: ["sad", "neutral", "happy"])
        #expect(named.labels == [2, 2, 0])
    }

    @Test("folder errors: missing root, no class folders, unknown class, empty class, non-image file; skip counts them")
    func folderErrors() throws {
        let root = try temporaryDirectory("folders-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        expectDatasetError(mentioning: "absent", { _ = try ImageFolderReader.read(root.appendingPathComponent("absent"), side: 4) }) {
            if case .missingFile = $0 { return true }
            return false
        }
        expectDatasetError(mentioning: root.lastPathComponent, { _ = try ImageFolderReader.read(root, side: 4) }) {
            if case .emptyFolder = $0 { return true }
            return false
        }
        try writeFlatPNG(level: 10, to: "Happy/a.png", in: root)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Empty"), withIntermediateDirectories: true)
        expectDatasetError(mentioning: "Empty", { _ = try ImageFolderReader.read(root, side: 4) }) {
            if case .emptyFolder = $0 { return true }
            return false
        }
        let skippedEmpty = try ImageFolderReader.read(root, side: 4, badSamples: .skip)
        #expect(skippedEmpty.classNames == ["Happy"] && skippedEmpty.skipped.count == 1)

        try FileManager.default.removeItem(at: root.appendingPathComponent("Empty"))
        try writeFlatPNG(level: 10, to: "happy/b.png", in: root)
        expectDatasetError(mentioning: "appears twice", { _ = try ImageFolderReader.read(root, side: 4) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
        try FileManager.default.removeItem(at: root.appendingPathComponent("happy"))
        try writeText("notes", to: "Happy/readme.txt", in: root)
        try writeFlatPNG(level: 10, to: "Bored/x.png", in: root)
        expectDatasetError(mentioning: "readme.txt", { _ = try ImageFolderReader.read(root, side: 4, classNames: ["Happy", "Bored"]) }) {
            if case .corruptImage = $0 { return true }
            return false
        }
        expectDatasetError(mentioning: "Bored", { _ = try ImageFolderReader.read(root, side: 4, classNames: ["Happy"], badSamples: .fail) }) {
            if case .unknownLabel = $0 { return true }
            return false
        }
        let skipped = try ImageFolderReader.read(root, side: 4, classNames: ["Happy"], badSamples: .skip)
        #expect(skipped.count == 1 && skipped.skipped.count == 2)  // Bored/x.png, Happy/readme.txt
        try writeFlatPNG(level: 10, to: "Happy/more/c.png", in: root)
        expectDatasetError(mentioning: "Happy/more", { _ = try ImageFolderReader.read(root, side: 4, classNames: ["Happy", "Bored"]) }) {
            if case .corruptImage = $0 { return true }
            return false
        }
    }

    @Test("a corrupt image is found when decoded; validated(policy:) fails or drops it")
    func corruptImageInFolder() throws {
        let root = try temporaryDirectory("folders-corrupt")
        defer { try? FileManager.default.removeItem(at: root) }
        try writeFlatPNG(level: 10, to: "A/good.png", in: root)
        let good = try PNGEncoder.encode(grayImage(width: 8, height: 8) { x, _ in x })
        try writeData(good.prefix(good.count - 20), to: "A/truncated.png", in: root)
        let dataset = try ImageFolderReader.read(root, side: 4)
        expectDatasetError(mentioning: "truncated.png", { _ = try dataset.image(at: 1) }) {
            if case .corruptImage = $0 { return true }
            return false
        }
        expectDatasetError(mentioning: "truncated.png", { _ = try dataset.validated(policy: .fail) }) { _ in true }
        let cleaned = try dataset.validated(policy: .skip)
        #expect(cleaned.count == 1 && cleaned.skipped.count == 1)
        try FileManager.default.removeItem(at: root.appendingPathComponent("A/good.png"))
        expectDatasetError(mentioning: "good.png", { _ = try dataset.image(at: 0) }) {
            if case .missingFile = $0 { return true }
            return false
        }
    }

    @Test("a manifest gives paths, labels, subjects, sequences and frames")
    func manifest() throws {
        let root = try temporaryDirectory("manifest")
        defer { try? FileManager.default.removeItem(at: root) }
        try writeFlatPNG(level: 255, to: "img/one.png", in: root)
        try writeFlatPNG(level: 0, to: "img/two.png", in: root)
        let absolute = try writeFlatPNG(level: 51, to: "elsewhere/three.png", in: root)
        let text = """
            path,label,subject,sequence,frame
            img/one.png,Surprise,S1,S1/a,3
            img/two.png,Fear,S2,,
            \(absolute.path),"Surprise",S1,S1/a,4
            """
        let url = try writeText(text, to: "manifest.csv", in: root)
        // Absolute paths need the caller's permission (see ManifestPathTests).
        let dataset = try ManifestReader.read(url, side: 2, allowPathsOutsideFolder: true)
        #expect(dataset.classNames == ["Fear", "Surprise"] && dataset.labels == [1, 0, 1])
        #expect(dataset.annotations[0] == SampleAnnotation(subject: "S1", sequence: "S1/a", frame: 3))
        #expect(dataset.annotations[1] == SampleAnnotation(subject: "S2"))
        #expect(try dataset.image(at: 2).pixels.allSatisfy { abs($0 - 0.2) < 1e-6 })
        let ordered = try ManifestReader.read(url, side: 2, classNames: ["Surprise", "Fear"], allowPathsOutsideFolder: true)
        #expect(ordered.labels == [0, 1, 0])
        let minimal = try writeText("label,path\nFear,img/one.png\n", to: "minimal.csv", in: root)
        #expect(try ManifestReader.read(minimal, side: 2).annotations == [SampleAnnotation()])
    }

    @Test("manifest errors name file and line: unknown label, missing image, bad frame, empty path, missing column")
    func manifestErrors() throws {
        let root = try temporaryDirectory("manifest-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        try writeFlatPNG(level: 1, to: "ok.png", in: root)
        let rows = ["path,label,subject,sequence,frame", "ok.png,Happy,,,", "ok.png,Bored,,,", "gone.png,Happy,,,", "ok.png,Happy,,,x", ",Happy,,,", "ok.png,Happy"]
        let url = try writeText(rows.joined(separator: "\n"), to: "m.csv", in: root)
        let skipped = try ManifestReader.read(url, side: 2, classNames: ["Happy"], badSamples: .skip)
        #expect(skipped.count == 1 && skipped.skipped.count == 5)
        expectDatasetError(mentioning: "m.csv:3", { _ = try ManifestReader.read(url, side: 2, classNames: ["Happy"]) }) {
            if case .unknownLabel(_, 3, "Bored", _) = $0 { return true }
            return false
        }
        let missing = try writeText([rows[0], rows[3]].joined(separator: "\n"), to: "missing.csv", in: root)
        expectDatasetError(mentioning: "missing.csv line 2", { _ = try ManifestReader.read(missing, side: 2) }) {
            if case .missingFile = $0 { return true }
            return false
        }
        for (line, name) in [(4, "frame"), (5, "path"), (6, "fields")] {
            let single = try writeText([rows[0], rows[line]].joined(separator: "\n"), to: "\(name).csv", in: root)
            expectDatasetError(mentioning: "\(name).csv:2", { _ = try ManifestReader.read(single, side: 2) }) { errorLine($0) == 2 }
        }
        let noLabel = try writeText("path,subject\nok.png,S1\n", to: "nolabel.csv", in: root)
        expectDatasetError(mentioning: "\"label\"", { _ = try ManifestReader.read(noLabel, side: 2) }) { errorLine($0) == 1 }
    }
}
