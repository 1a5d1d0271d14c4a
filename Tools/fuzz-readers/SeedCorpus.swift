import Foundation
import ImageDatasets
import NeuralNetworks

/// What kind of bytes a seed holds: chooses the structure-aware mutations (header fields,
/// chunks, lines) on top of the generic ones.
enum SeedFormat: String, Sendable {
    case safetensors, png, jpeg, idx, gzip, csv, text
}

/// One valid file a reader accepts, made in-process by the library's own writers (or, for
/// forms they do not write, by this harness): the starting point of mutations.
struct Seed: Sendable {
    /// Names the seed in reports, e.g. "png-gray16".
    let name: String
    /// Which of the reader's files the mutant replaces (e.g. "images" or "labels" for IDX).
    let role: String
    let format: SeedFormat
    let bytes: [UInt8]
    /// Mutate the plain bytes, then gzip them (so the reader sees a valid gzip stream of a
    /// damaged IDX file, not only damaged gzip data).
    var gzipAfterMutation = false
}

/// The seed files of every reader. Nothing binary is committed: all of it is generated
/// here, deterministically, from the library's writers and small pixel patterns.
enum SeedCorpus {
    /// A deterministic pattern value in 0..<modulus for pixel (x, y), channel c, picture k.
    static func pattern(_ x: Int, _ y: Int, _ c: Int, _ k: Int = 0, modulus: Int = 256) -> Int {
        (x &* 37 &+ y &* 11 &+ c &* 71 &+ k &* 29 &+ (x * y) % 7) % modulus
    }

    static func decodedImage(width: Int, height: Int, layout: DecodedImage.Layout, bitDepth: Int, k: Int = 0) throws -> DecodedImage {
        var samples: [UInt16] = []
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<layout.channels {
                    let value = pattern(x, y, c, k)
                    samples.append(UInt16(bitDepth == 16 ? value * 256 + (x * 13) % 256 : value))
                }
            }
        }
        return try DecodedImage(width: width, height: height, layout: layout, bitDepth: bitDepth, samples: samples)
    }

    // MARK: Images

    static func png() throws -> [Seed] {
        var seeds: [Seed] = []
        func add(_ name: String, _ bytes: [UInt8]) { seeds.append(Seed(name: name, role: "png", format: .png, bytes: bytes)) }
        add("png-gray8", Array(try PNGEncoder.encode(decodedImage(width: 16, height: 16, layout: .gray, bitDepth: 8))))
        add("png-gray16", Array(try PNGEncoder.encode(decodedImage(width: 12, height: 10, layout: .gray, bitDepth: 16))))
        add("png-grayalpha8", Array(try PNGEncoder.encode(decodedImage(width: 9, height: 7, layout: .grayAlpha, bitDepth: 8))))
        add("png-rgb8", Array(try PNGEncoder.encode(decodedImage(width: 16, height: 16, layout: .rgb, bitDepth: 8, k: 1))))
        add("png-rgba16", Array(try PNGEncoder.encode(decodedImage(width: 5, height: 6, layout: .rgba, bitDepth: 16))))
        add("png-picture", Array(try PNGEncoder.encode(GrayImage(side: 20, pixels: (0..<400).map { Float($0 % 20) / 19 }))))
        // Forms the library's encoder does not write, made by hand.
        var palette: [UInt8] = []
        for entry in 0..<16 { palette += [UInt8(entry * 16), UInt8(255 - entry * 16), UInt8(entry * 5)] }
        add("png-palette4-trns", PNGChunks.file(width: 11, height: 9, bitDepth: 4, colorType: 3, channels: 1,
                                                extraChunks: [("PLTE", palette), ("tRNS", [0, 128, 255])]) { x, y, _ in (x + y) % 16 })
        add("png-gray1", PNGChunks.file(width: 13, height: 5, bitDepth: 1, colorType: 0, channels: 1) { x, y, _ in (x ^ y) & 1 })
        add("png-gray8-adam7-text", PNGChunks.file(width: 10, height: 10, bitDepth: 8, colorType: 0, channels: 1, interlaced: true,
                                                   extraChunks: [("tEXt", Array("Comment\u{0}fuzz seed".utf8)), ("gAMA", PNGChunks.bigEndian32(45_455))]) { x, y, _ in
            pattern(x, y, 0)
        })
        add("png-rgb8-trns", PNGChunks.file(width: 6, height: 4, bitDepth: 8, colorType: 2, channels: 3,
                                            extraChunks: [("tRNS", [0, 1, 0, 2, 0, 3])]) { x, y, c in pattern(x, y, c) })
        return seeds
    }

    static func jpeg() throws -> [Seed] {
        let forms: [(String, Int, Int, DecodedImage.Layout, Int)] = [
            ("jpeg-gray-q90", 16, 16, .gray, 90), ("jpeg-rgb-q75", 24, 16, .rgb, 75),
            ("jpeg-gray-odd-q50", 17, 9, .gray, 50), ("jpeg-rgb-q100", 8, 8, .rgb, 100),
        ]
        return try forms.enumerated().map { k, form in
            let image = try decodedImage(width: form.1, height: form.2, layout: form.3, bitDepth: 8, k: k)
            return Seed(name: form.0, role: "jpeg", format: .jpeg, bytes: Array(try JPEGEncoder.encode(image, quality: form.4)))
        }
    }

    // MARK: safetensors

    static func safetensors() throws -> [Seed] {
        var seeds: [Seed] = []
        func add(_ name: String, _ data: Data) { seeds.append(Seed(name: name, role: "safetensors", format: .safetensors, bytes: Array(data))) }
        let weight = try Tensor<Float>(shape: [3, 4], scalars: (0..<12).map { Float($0) / 7 - 0.5 })
        let bias = try Tensor<Float>(shape: [4], scalars: [0.25, -1, .infinity, 3])
        add("safetensors-f32-metadata", try SafeTensorsWriter.encode(["weight": weight, "bias": bias], metadata: ["format": "pt"]))
        let doubles = try Tensor<Double>(shape: [2, 2, 2], scalars: (0..<8).map { Double($0) * 1.5 })
        add("safetensors-f64", try SafeTensorsWriter.encode(["x": doubles, "scalar": Tensor<Double>(42)]))

        // A checkpoint as a training run writes one: module state, an extra tensor and a
        // progress record (the shape of the classifier's) as JSON in the metadata.
        var generator = SeededGenerator(seed: 3)
        let layer = Linear<Float>(inputSize: 3, outputSize: 2, using: &generator)
        var checkpoint = Checkpoint<Float>()
        checkpoint.store(layer, prefix: "model.")
        checkpoint.storeTensor(Tensor<Float>([1, 2, 3]), name: "extra.step")
        try checkpoint.store(FuzzProgressRecord(completedEpochs: 2, dropoutState: generator.state, neighborState: nil,
                                                runningThreshold: 0.75), key: "progress")
        try checkpoint.store(["epochs": 3], key: "settings")
        add("safetensors-checkpoint", try SafeTensorsWriter.encode(checkpoint.tensors, metadata: checkpoint.metadata))

        // Every other dtype the reader knows, a rank-0 and an empty tensor, written by hand.
        let entries: [(String, String, [Int], Int)] = [
            ("a_f16", "F16", [2, 3], 2), ("b_bf16", "BF16", [4], 2), ("c_i64", "I64", [2], 8), ("d_u8", "U8", [5], 1),
            ("e_bool", "BOOL", [3], 1), ("f_i32", "I32", [], 4), ("g_f8", "F8_E4M3", [2], 1), ("h_empty", "F32", [0, 5], 4),
            ("i_u16", "U16", [2], 2), ("j_i8", "I8", [1], 1), ("k_u64", "U64", [1], 8), ("l_f8", "F8_E5M2", [1], 1),
        ]
        var members = ["\"__metadata__\":{\"format\":\"pt\",\"note\":\"a \\\"quoted\\\" \\\\ value \\u00e9\"}"]
        var data: [UInt8] = []
        for (name, dtype, shape, size) in entries {
            let count = shape.reduce(1, *) * size
            members.append("\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],"
                + "\"data_offsets\":[\(data.count),\(data.count + count)]}")
            data += (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 1) }.map { dtype == "BOOL" ? $0 & 1 : $0 }
        }
        add("safetensors-all-dtypes", Data(rawSafetensors(header: "{" + members.joined(separator: ", ") + "}", data: data)))
        add("safetensors-empty", Data(rawSafetensors(header: "{\"__metadata__\":null}", data: [])))
        return seeds
    }

    /// The bytes of a safetensors file with this header text, padded to 8, and data section.
    static func rawSafetensors(header: String, data: [UInt8]) -> [UInt8] {
        var headerBytes = Array(header.utf8)
        headerBytes += repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8)
        return withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian, Array.init) + headerBytes + data
    }

    // MARK: IDX

    /// The valid pair every IDX mutant is read with: 5 images of 8x8 and their labels.
    static let idxImageCount = 5, idxSide = 8

    static func idxImages() throws -> [UInt8] {
        let pixels = (0..<(idxImageCount * idxSide * idxSide)).map { UInt8(pattern($0 % idxSide, $0 / idxSide, 0)) }
        return Array(try IDXFile.encode(dimensions: [idxImageCount, idxSide, idxSide], bytes: pixels))
    }

    static func idxLabels() throws -> [UInt8] {
        Array(try IDXFile.encode(dimensions: [idxImageCount], bytes: [0, 9, 3, 3, 7]))
    }

    static func idx() throws -> [Seed] {
        let images = try idxImages(), labels = try idxLabels()
        let half = images.count / 2
        let twoMembers = Array(try Gzip.compress(Data(images[..<half]))) + Array(try Gzip.compress(Data(images[half...]), level: 1))
        return [
            Seed(name: "idx-images", role: "images", format: .idx, bytes: images),
            Seed(name: "idx-labels", role: "labels", format: .idx, bytes: labels),
            Seed(name: "idx-images-gz", role: "images", format: .gzip, bytes: Array(try Gzip.compress(Data(images)))),
            Seed(name: "idx-labels-gz", role: "labels", format: .gzip, bytes: Array(try Gzip.compress(Data(labels), level: 9))),
            Seed(name: "idx-images-gz-two-members", role: "images", format: .gzip, bytes: twoMembers),
            Seed(name: "idx-images-then-gz", role: "images", format: .idx, bytes: images, gzipAfterMutation: true),
            Seed(name: "idx-labels-then-gz", role: "labels", format: .idx, bytes: labels, gzipAfterMutation: true),
        ]
    }

    // MARK: CSV and text

    static func fer2013() -> [Seed] {
        func pixels(_ row: Int) -> String {
            (0..<2304).map { String(pattern($0 % 48, $0 / 48, 0, row)) }.joined(separator: " ")
        }
        let usages = ["Training", "PublicTest", "PrivateTest", "Training"]
        let full = "emotion,pixels,Usage\n" + (0..<4).map { "\($0 * 2),\(pixels($0)),\(usages[$0])\n" }.joined()
        let kaggle = "\u{FEFF}emotion,pixels\r\n" + (0..<3).map { "\(6 - $0),\(pixels($0 + 4))\r\n" }.joined()
        let quoted = "Usage,emotion,pixels\n" + (0..<2).map { "PublicTest,\($0 + 3),\"\(pixels($0 + 7))\"" }.joined(separator: "\n")
        return [
            Seed(name: "fer2013-usage", role: "csv", format: .csv, bytes: Array(full.utf8)),
            Seed(name: "fer2013-kaggle-crlf-bom", role: "csv", format: .csv, bytes: Array(kaggle.utf8)),
            Seed(name: "fer2013-quoted-reordered", role: "csv", format: .csv, bytes: Array(quoted.utf8)),
        ]
    }

    static func affectNet() -> [Seed] {
        let header = "subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal\n"
        let rows = [
            "1/a.png,4,4,20,20,\"5.5;6.5;7.25;8.0\",1,0.5,-0.2",
            "1/b.jpg,2.5,3,18,16,\"1;2;3;4\",4,-0.75,0.1",
            "2/c.png,0,0,32,32,,0,0,0",
            "2/c.png,1,1,8,8,,8,-2,-2",
            "1/a.png,10,12,6,6,\"9;9\",6,0.3,0.9",
        ]
        return [
            Seed(name: "affectnet-training", role: "csv", format: .csv, bytes: Array((header + rows.joined(separator: "\n") + "\n").utf8)),
            Seed(name: "affectnet-crlf", role: "csv", format: .csv,
                 bytes: Array((header.replacingOccurrences(of: "\n", with: "\r\n") + rows.prefix(2).joined(separator: "\r\n")).utf8)),
        ]
    }

    static func manifest() -> [Seed] {
        let full = """
            path,label,subject,sequence,frame
            images/a.png,happy,S1,S1/1,1
            images/b.jpg,sad,S2,S2/1,2
            "images/sub dir/c.png",happy,S1,S1/2,10
            images/a.png,sad,,,
            /nonexistent-fuzz-readers/x.png,happy,S3,S3/1,3

            """
        let short = "label,path\r\nsad,images/b.jpg\r\nhappy,images/a.png\r\n"
        return [
            Seed(name: "manifest-full", role: "csv", format: .csv, bytes: Array(full.utf8)),
            Seed(name: "manifest-two-columns", role: "csv", format: .csv, bytes: Array(short.utf8)),
        ]
    }

    /// CK+'s Emotion file and Landmarks file of the last frame of a sequence.
    static func ckPlus() -> [Seed] {
        let landmarks = (0..<68).map { k in
            let angle = Double(k) / 68 * 2 * Double.pi
            return String(format: "   %.7e   %.7e", 20 + 12 * cos(angle), 21 + 14 * sin(angle))
        }.joined(separator: "\n") + "\n"
        return [
            Seed(name: "ckplus-emotion", role: "emotion", format: .text, bytes: Array("   3.0000000e+00\n".utf8)),
            Seed(name: "ckplus-emotion-plain", role: "emotion", format: .text, bytes: Array("5".utf8)),
            Seed(name: "ckplus-landmarks", role: "landmarks", format: .text, bytes: Array(landmarks.utf8)),
            Seed(name: "ckplus-landmarks-crlf-short", role: "landmarks", format: .text,
                 bytes: Array("10.5 11\r\n30 12.25\r\n22\t35\r\n".utf8)),
        ]
    }
}
