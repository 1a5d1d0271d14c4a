import Foundation

/// Listing folders for the readers: hidden entries (".DS_Store", "._x") left out, names in
/// natural order so that frame "10" comes after frame "9".
enum FolderListing {
    /// Throws unless `url` is an existing folder.
    /// - Throws: ``DatasetError/missingFile(path:hint:)`` or ``DatasetError/unreadableFile(path:reason:)``.
    static func requireFolder(_ url: URL, hint: String = "") throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw DatasetError.missingFile(path: url.path, hint: hint)
        }
        guard isFolder.boolValue else {
            throw DatasetError.unreadableFile(path: url.path, reason: "it is a file, expected a folder")
        }
    }

    /// The visible entries of `folder`, in natural order.
    static func entries(of folder: URL, hint: String = "") throws -> [URL] {
        try requireFolder(folder, hint: hint)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw DatasetError.unreadableFile(path: folder.path, reason: error.localizedDescription)
        }
        return names.filter { !$0.hasPrefix(".") }
            .sorted { naturalOrder($0, $1) }
            .map { folder.appendingPathComponent($0) }
    }

    /// The visible subfolders of `folder`, in natural order.
    static func subfolders(of folder: URL, hint: String = "") throws -> [URL] {
        try entries(of: folder, hint: hint).filter(isFolder)
    }

    /// The visible plain files of `folder`, in natural order.
    static func files(of folder: URL, hint: String = "") throws -> [URL] {
        try entries(of: folder, hint: hint).filter { !isFolder($0) }
    }

    static func isFolder(_ url: URL) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue
    }

    static func fileExists(_ url: URL) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && !isFolder.boolValue
    }

    /// Whether the file's extension is one ``ImageDecoder`` reads.
    static func isImageFile(_ url: URL) -> Bool {
        ImageDecoder.fileExtensions.contains(url.pathExtension.lowercased())
    }

    /// Digit runs compare as numbers ("frame9" < "frame10"); other text compares by code point.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        var i = a.unicodeScalars.makeIterator(), j = b.unicodeScalars.makeIterator()
        var x = i.next(), y = j.next()
        while let p = x, let q = y {
            if p.properties.numericType == .decimal, q.properties.numericType == .decimal,
               let firstP = p.properties.numericValue, let firstQ = q.properties.numericValue {
                var numberP = Double(firstP), numberQ = Double(firstQ)
                var digitsP = 1, digitsQ = 1
                x = i.next()
                while let next = x, next.properties.numericType == .decimal, let value = next.properties.numericValue {
                    numberP = numberP * 10 + value
                    digitsP += 1
                    x = i.next()
                }
                y = j.next()
                while let next = y, next.properties.numericType == .decimal, let value = next.properties.numericValue {
                    numberQ = numberQ * 10 + value
                    digitsQ += 1
                    y = j.next()
                }
                if numberP != numberQ { return numberP < numberQ }
                if digitsP != digitsQ { return digitsP < digitsQ }  // "01" before "001": stable and total
                continue
            }
            if p != q { return p.value < q.value }
            x = i.next()
            y = j.next()
        }
        return x == nil && y != nil
    }
}
