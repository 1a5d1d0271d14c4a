import Foundation
import Testing
import TestSupport
@testable import ImageDatasets

/// A file that is not an image is described in words: its content never appears in the message.
@Suite("Decode error messages")
struct DecodeErrorMessageTests {
    @Test("a text file named .png: the message says what was expected and the size, not the bytes")
    func textFileIsNotEchoed() throws {
        let secret = "root:x:0:0:root:/root:/bin/bash\n"
        do {
            _ = try ImageDecoder.decode(Data(secret.utf8), path: "/data/face.png")
            Issue.record("decoding text succeeded")
        } catch let error as DatasetError {
            let message = error.description
            #expect(message.contains("/data/face.png"))
            #expect(message.contains("not a PNG or JPEG file"), "\(message)")
            #expect(message.contains("\(secret.utf8.count) bytes"), "\(message)")
            #expect(!message.contains("72 6f 6f 74") && !message.contains("726f") && !message.contains("root:x"), "\(message)")
        }
    }

    @Test("an empty file and a GIF are named in words")
    func otherFormatsInWords() throws {
        expectDatasetError(mentioning: "empty", { _ = try ImageDecoder.decode(Data(), path: "e.png") }) {
            if case .corruptImage = $0 { return true }
            return false
        }
        let gif = Data("GIF89a".utf8) + Data(repeating: 7, count: 20)
        expectDatasetError(mentioning: "GIF", { _ = try ImageDecoder.decode(gif, path: "g.png") }) {
            !$0.description.contains("47 49 46")
        }
    }
}
