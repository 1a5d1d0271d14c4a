import Foundation
import ImageDatasets

/// CK+'s text files: one sequence of four frames whose Emotion file or last frame's
/// Landmarks file is the mutant. `CKPlusReader.read` with Neutral and landmark crops and
/// every frame decoded (accepted when both return); then with bad sequences skipped and
/// without crops.
final class CKPlusDriver: ReaderDriver {
    let name = "ckplus"
    let calls = "CKPlusReader.read(_:side:classes: .sixBasicAndNeutral) + validated(.fail); .skip; crop nil"
    let seeds = SeedCorpus.ckPlus()
    private let folder: WorkFolder
    private let pristine: [String: (path: String, bytes: [UInt8])]
    private static let sequence = "S005/001"
    private static let frameCount = 4

    init(folder: WorkFolder) {
        self.folder = folder
        func seed(_ name: String) -> [UInt8] { SeedCorpus.ckPlus().first { $0.name == name }!.bytes }
        pristine = [
            "emotion": ("ck/Emotion/\(Self.sequence)/S005_001_0000000\(Self.frameCount)_emotion.txt", seed("ckplus-emotion")),
            "landmarks": ("ck/Landmarks/\(Self.sequence)/S005_001_0000000\(Self.frameCount)_landmarks.txt", seed("ckplus-landmarks")),
        ]
    }

    func prepare() throws {
        let landmarks = pristine["landmarks"]!.bytes
        for frame in 1...Self.frameCount {
            try folder.write(CompanionImages.grayPNG(k: frame), to: "ck/cohn-kanade-images/\(Self.sequence)/S005_001_0000000\(frame).png")
            try folder.write(landmarks, to: "ck/Landmarks/\(Self.sequence)/S005_001_0000000\(frame)_landmarks.txt")
        }
    }

    func run(_ bytes: [UInt8], role: String) throws {
        for (fileRole, file) in pristine {
            try folder.write(fileRole == role ? bytes : file.bytes, to: file.path)
        }
        let root = folder.url("ck")
        _ = try? CKPlusReader.read(root, side: 12, classes: .sixBasicAndContempt, frames: .peakAndPreceding(2), badSamples: .skip)
            .validated(policy: .skip)
        _ = try? CKPlusReader.read(root, side: 12, crop: nil).validated(policy: .skip)
        _ = try CKPlusReader.read(root, side: 16, classes: .sixBasicAndNeutral).validated(policy: .fail)
    }
}
