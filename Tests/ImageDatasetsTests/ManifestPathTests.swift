import Foundation
import Testing
import TestSupport
@testable import ImageDatasets

/// Manifest rows may only name images inside the manifest's own folder tree.
@Suite("Manifest image paths stay inside the manifest's folder")
struct ManifestPathTests {
    private func expectOutside(_ manifest: URL, line: Int, mentioning path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectDatasetError(mentioning: path, sourceLocation: sourceLocation, { _ = try ManifestReader.read(manifest, side: 4, badSamples: .skip) }) {
            $0.description.contains("\(manifest.path):\(line)")
        }
    }

    @Test("an absolute path, a path leaving with .., and a symbolic link out are errors naming line and path")
    func escapesAreRefused() throws {
        let root = try temporaryDirectory("manifest-escape")
        defer { try? FileManager.default.removeItem(at: root) }
        let outside = try writeFlatPNG(level: 9, to: "outside.png", in: root)
        let set = root.appendingPathComponent("set")
        try writeFlatPNG(level: 1, to: "inside/a.png", in: set)
        try FileManager.default.createSymbolicLink(at: set.appendingPathComponent("link.png"), withDestinationURL: outside)

        let absolute = try writeText("path,label\ninside/a.png,x\n\(outside.path),y\n", to: "absolute.csv", in: set)
        expectOutside(absolute, line: 3, mentioning: outside.path)
        let dotted = try writeText("path,label\ninside/../../outside.png,y\n", to: "dotted.csv", in: set)
        expectOutside(dotted, line: 2, mentioning: "inside/../../outside.png")
        let linked = try writeText("path,label\ninside/a.png,x\nlink.png,y\n", to: "linked.csv", in: set)
        expectOutside(linked, line: 3, mentioning: "link.png")

        // .. that stays inside is fine.
        let inside = try writeText("path,label\ninside/../inside/a.png,x\n", to: "inside.csv", in: set)
        #expect(try ManifestReader.read(inside, side: 4).count == 1)
    }
}

@Suite("Manifest paths outside the folder, when allowed")
struct ManifestPathOptInTests {
    @Test("allowPathsOutsideFolder accepts absolute paths, .. and links out, in the reader and the specification")
    func optIn() throws {
        let root = try temporaryDirectory("manifest-optin")
        defer { try? FileManager.default.removeItem(at: root) }
        let outside = try writeFlatPNG(level: 9, to: "outside.png", in: root)
        let set = root.appendingPathComponent("set")
        try writeFlatPNG(level: 1, to: "inside/a.png", in: set)
        try FileManager.default.createSymbolicLink(at: set.appendingPathComponent("link.png"), withDestinationURL: outside)
        let manifest = try writeText("path,label\ninside/a.png,x\n\(outside.path),y\n../outside.png,y\nlink.png,y\n", to: "m.csv", in: set)
        let dataset = try ManifestReader.read(manifest, side: 4, allowPathsOutsideFolder: true)
        #expect(dataset.count == 4 && dataset.records[2].url.path == outside.path)
        let spec = try DatasetSpecification(parsing: "manifest:\(manifest.path):\(manifest.path)", allowPathsOutsideFolder: true)
        #expect(try spec.load(side: 4).test.count == 4)
        expectDatasetError(mentioning: "m.csv:3", { _ = try DatasetSpecification(parsing: "manifest:\(manifest.path)").load(side: 4) }) {
            if case .pathOutsideFolder = $0 { return true }
            return false
        }
        // A specification saved before the option existed decodes with it off.
        let old = Data(#"{"kind":"manifest","paths":["m.csv"],"fold":0,"foldCount":10,"skipBadSamples":false}"#.utf8)
        #expect(try JSONDecoder().decode(DatasetSpecification.self, from: old).allowPathsOutsideFolder == false)
    }
}
