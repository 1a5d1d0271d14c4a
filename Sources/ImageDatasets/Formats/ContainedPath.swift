import Foundation

/// Resolves a path read from a data file (a manifest row) against the file's folder and
/// checks that it stays inside that folder tree, so a manifest cannot make the program
/// read `/etc/passwd` or `../../secret.png` unless the caller allows it.
enum ContainedPath {
    /// Why a path is outside, in words for ``DatasetError/pathOutsideFolder(path:line:imagePath:folder:reason:)``.
    enum Escape: Error, Equatable {
        case absolute
        case parentReference
        case symbolicLink(target: String)

        var reason: String {
            switch self {
            case .absolute: return "is absolute"
            case .parentReference: return "leads out of the folder with \"..\""
            case .symbolicLink(let target): return "passes through a symbolic link to \(target)"
            }
        }
    }

    /// The file `relativePath` names under `root`.
    ///
    /// The path is standardised (`.` and `..` removed) and must stay under `root`; then
    /// symbolic links are resolved and the real file must lie under `root`'s real folder.
    /// A path that does not exist yet is judged on its standardised form and its existing
    /// part.
    /// - Parameter allowOutside: skip the checks (absolute paths are then taken as they are).
    /// - Throws: ``Escape`` saying how the path leaves `root`.
    static func resolve(_ relativePath: String, in root: URL, allowOutside: Bool) throws(Escape) -> URL {
        if relativePath.hasPrefix("/") {
            guard allowOutside else { throw .absolute }
            return URL(fileURLWithPath: relativePath)
        }
        let url = root.appendingPathComponent(relativePath).standardizedFileURL
        guard !allowOutside else { return url }
        let base = root.standardizedFileURL.path
        guard isInside(url.path, base) else { throw .parentReference }
        let realBase = root.standardizedFileURL.resolvingSymlinksInPath().path
        let real = url.resolvingSymlinksInPath().path
        guard isInside(real, realBase) else { throw .symbolicLink(target: real) }
        return url
    }

    /// Whether `path` is `folder` or lies below it (both standardised, without a trailing slash).
    private static func isInside(_ path: String, _ folder: String) -> Bool {
        folder == "/" || path == folder || path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
    }
}
