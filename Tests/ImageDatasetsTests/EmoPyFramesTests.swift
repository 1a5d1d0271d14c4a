import Foundation
import Testing
import TestSupport
@testable import ImageDatasets

/// The real CK+ frames in the EmoPy 0.0.5 wheel (640x490 gray PNGs), fetched with pip into a
/// temporary folder at test time and never kept: the CK+ licence forbids redistribution.
///
/// Set `EMOPY_WHEEL` to a downloaded `EmoPy-0.0.5-py3-none-any.whl` to skip the download,
/// or `FER_SKIP_EMOPY=1` to skip these tests.
enum EmoPyWheel {
    /// The unpacked `EmoPy/examples/image_data` folder, or nil (the reason is printed).
    static let imageData: URL? = {
        do {
            return try fetch()
        } catch {
            print("EmoPy CK+ frame tests SKIPPED: \(error)")
            return nil
        }
    }()

    /// Where the wheel is downloaded and unpacked; removed when the test process exits.
    static let temporaryFolder = FileManager.default.temporaryDirectory.appendingPathComponent("fer-emopy-\(UUID().uuidString)")

    struct FetchFailure: Error, CustomStringConvertible {
        let description: String
    }

    private static func fetch() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if environment["FER_SKIP_EMOPY"] == "1" { throw FetchFailure(description: "FER_SKIP_EMOPY=1") }
        let folder = temporaryFolder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // The frames must not outlive the test process.
        atexit { try? FileManager.default.removeItem(at: EmoPyWheel.temporaryFolder) }
        let wheel: URL
        if let given = environment["EMOPY_WHEEL"], !given.isEmpty {
            wheel = URL(fileURLWithPath: given)
        } else {
            try run(["python3", "-m", "pip", "download", "--no-deps", "--ignore-requires-python", "--disable-pip-version-check", "--retries", "1", "--timeout", "20",
                     "EmoPy==0.0.5", "-d", folder.path], timeout: 180, log: folder.appendingPathComponent("pip.log"))
            wheel = folder.appendingPathComponent("EmoPy-0.0.5-py3-none-any.whl")
        }
        guard FileManager.default.fileExists(atPath: wheel.path) else {
            throw FetchFailure(description: "no wheel at \(wheel.path)")
        }
        let unpacked = folder.appendingPathComponent("unpacked")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/unzip") {
            try run(["/usr/bin/unzip", "-q", "-o", wheel.path, "EmoPy/examples/image_data/*", "-d", unpacked.path],
                    timeout: 60, log: folder.appendingPathComponent("unzip.log"))
        } else {
            try run(["python3", "-m", "zipfile", "-e", wheel.path, unpacked.path], timeout: 60, log: folder.appendingPathComponent("unzip.log"))
        }
        let imageData = unpacked.appendingPathComponent("EmoPy/examples/image_data")
        guard FileManager.default.fileExists(atPath: imageData.appendingPathComponent("sample_image_directory").path) else {
            throw FetchFailure(description: "the wheel has no EmoPy/examples/image_data/sample_image_directory")
        }
        return imageData
    }

    /// Runs a command (through /usr/bin/env, so it is found on PATH) and waits at most `timeout` seconds.
    private static func run(_ arguments: [String], timeout: Double, log: URL) throws {
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw FetchFailure(description: "cannot create \(log.path)")
        }
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw FetchFailure(description: "cannot start \(arguments[0]): \(error)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw FetchFailure(description: "\(arguments.prefix(4).joined(separator: " ")) took longer than \(Int(timeout)) s")
        }
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n").suffix(3).joined(separator: " | ")
            throw FetchFailure(description: "\(arguments.prefix(4).joined(separator: " ")) failed with status \(process.terminationStatus): \(tail)")
        }
    }
}

@Suite("Real CK+ frames from the EmoPy 0.0.5 wheel",
       .enabled(if: EmoPyWheel.imageData != nil, "the EmoPy 0.0.5 wheel could not be fetched with pip (no network?); see the SKIPPED line printed above"))
struct EmoPyFramesTests {
    private var imageData: URL { EmoPyWheel.imageData! }

    @Test("frames decode as 640x490 8-bit gray and resize to 112 with the mean kept")
    func decodeAndResize() throws {
        for name in ["sample_happy_image.png", "sample_disgust_image.png", "sample_anger_image2.png"] {
            let decoded = try ImageDecoder.decodeFile(at: imageData.appendingPathComponent(name))
            #expect(decoded.width == 640 && decoded.height == 490 && decoded.layout == .gray && decoded.bitDepth == 8)
            let gray = decoded.grayscale()
            #expect(gray.pixels.min()! >= 0 && gray.pixels.max()! <= 1 && gray.pixels.max()! > 0.5)
            let small = try gray.resized(side: 112)
            let meanBefore = gray.pixels.reduce(0, +) / Float(gray.pixels.count)
            let meanAfter = small.pixels.reduce(0, +) / Float(small.pixels.count)
            #expect(abs(meanBefore - meanAfter) < 0.01)
            #expect(try PNGEncoder.encode(small).count > 1_000)
        }
    }

    @Test("the image-folder reader with CK+ file-name annotations, and balanced batches at 112")
    func imageFolder() throws {
        let dataset = try ImageFolderReader.read(imageData.appendingPathComponent("sample_image_directory"), side: 112,
                                                 annotate: FileNameAnnotation.ckPlus)
        #expect(dataset.classNames == ["anger", "happiness", "surprise"] && dataset.count == 18)
        #expect(dataset.labels.filter { $0 == 1 }.count == 6)
        #expect(dataset.annotations[0] == SampleAnnotation(subject: "S074", sequence: "S074/004", frame: 10))
        let sampler = try ClassBalancedBatchSampler(dataset: dataset, samplesPerClass: 2, batchesPerEpoch: 3, seed: 1)
        let loader = try BatchLoader(dataset: dataset, sampler: sampler,
                                     options: LoaderOptions(decodeThreads: 2, augmentation: .standard, seed: 3))
        let batches = try loader.epoch(0).collect()
        #expect(batches.count == 3 && batches.allSatisfy { $0.images.shape == [6, 1, 112, 112] })
        #expect(batches.allSatisfy { batch in (0..<3).allSatisfy { label in batch.labels.filter { $0 == label }.count == 2 } })
    }

    @Test("a manifest of the sequence frames, and person-independent folds over their subjects")
    func manifestAndFolds() throws {
        let series = imageData.appendingPathComponent("sample_image_series_directory")
        var lines = ["path,label,subject,sequence,frame"]
        for emotion in try FileManager.default.contentsOfDirectory(atPath: series.path).sorted() {
            for sequence in try FileManager.default.contentsOfDirectory(atPath: series.appendingPathComponent(emotion).path).sorted() {
                let folder = series.appendingPathComponent(emotion).appendingPathComponent(sequence)
                for frame in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
                    let annotation = FileNameAnnotation.ckPlus(folder.appendingPathComponent(frame))
                    lines.append("\(emotion)/\(sequence)/\(frame),\(emotion),\(annotation.subject!),\(annotation.sequence!),\(annotation.frame!)")
                }
            }
        }
        let folder = try temporaryDirectory("emopy-manifest")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = try writeText(lines.joined(separator: "\n"), to: "manifest.csv", in: folder)
        let dataset = try ManifestReader.read(manifest, side: 64, imagesRoot: series)
        #expect(dataset.count == 80 && dataset.classNames.count == 6)
        #expect(try dataset.image(at: 0).pixels.count == 64 * 64)
        let folds = try SubjectFolds.make(dataset: dataset, foldCount: 5)
        let subjects = dataset.annotations.map(\.subject)
        for fold in folds {
            #expect(Set(fold.testIndices.map { subjects[$0] }).isDisjoint(with: Set(fold.trainIndices.map { subjects[$0] })))
        }
        #expect(folds.flatMap(\.testIndices).count == 80)
    }

    @Test("the CK+ reader on a CK+ tree of the real frames (Emotion files written from the folder labels)")
    func ckPlusLayout() throws {
        let series = imageData.appendingPathComponent("sample_image_series_directory")
        let root = try temporaryDirectory("emopy-ckplus")
        defer { try? FileManager.default.removeItem(at: root) }
        let codes = ["anger": 1, "disgust": 3, "fear": 4, "happiness": 5, "sadness": 6, "surprise": 7]
        for emotion in try FileManager.default.contentsOfDirectory(atPath: series.path).sorted() {
            for sequence in try FileManager.default.contentsOfDirectory(atPath: series.appendingPathComponent(emotion).path).sorted() {
                let parts = sequence.split(separator: "_")
                let frames = try FileManager.default.contentsOfDirectory(atPath: series.appendingPathComponent("\(emotion)/\(sequence)").path).sorted()
                let target = root.appendingPathComponent("cohn-kanade-images/\(parts[0])/\(parts[1])")
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                for frame in frames {
                    try FileManager.default.createSymbolicLink(at: target.appendingPathComponent(frame),
                                                               withDestinationURL: series.appendingPathComponent("\(emotion)/\(sequence)/\(frame)"))
                }
                let peak = (frames.last! as NSString).deletingPathExtension
                try writeText("   \(codes[emotion]!).0000000e+00\n", to: "Emotion/\(parts[0])/\(parts[1])/\(peak)_emotion.txt", in: root)
            }
        }
        let dataset = try CKPlusReader.read(root, side: 112, frames: .lastFrames(2), crop: nil)
        #expect(dataset.count == 80 && Set(dataset.annotations.map(\.sequence)).count == 40)
        // Every sample's label is the paper's class of the EmoPy folder its frame came from.
        for (index, record) in dataset.records.enumerated() {
            let emotion = record.url.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
            let expression = try #require(DatasetLabelCodes.ckPlus[codes[emotion]!] ?? nil)
            #expect(dataset.classNames[dataset.labels[index]] == expression.name)
        }
        let sample = try dataset.image(at: 0)
        #expect(sample.side == 112 && sample.subject != nil && sample.frame == 1)
    }

    @Test("FER2013's CSV format in the wheel's sample.csv")
    func fer2013Sample() throws {
        let dataset = try FER2013Reader.read(imageData.appendingPathComponent("sample.csv"))
        #expect(dataset.count == 7 && dataset.side == 48)
        #expect(Set(dataset.labels.map { dataset.classNames[$0] }) == ["Anger", "Fear"])
    }
}
