import Foundation

/// Where a git-annex key lives on 1fichier, under the remote's folder.
///
/// - `hash` (the default): `FOLDER/ab/KEY`, where `ab` is the first two characters of
///   git-annex's `DIRHASH-LOWER` of the key: 256 sub-folders, so that no folder comes near
///   1fichier's 5,000-entry listing cap before about a million keys, while a small annex
///   needs few folders.
/// - `flat`: `FOLDER/KEY` (fine up to a few thousand keys).
///
/// The layout is chosen at `initremote` and recorded in the remote's configuration; it never
/// changes afterwards, since keys are found by their path.
enum AnnexLayout: String, CaseIterable {
    case hash
    case flat

    /// The sub-folder for a key from its `DIRHASH-LOWER` (`"abc/def/"`); nil for `flat`.
    func bucket(dirhashLower: String) -> String? {
        switch self {
        case .flat: return nil
        case .hash:
            let hex = dirhashLower.filter { $0.isHexDigit }
            return hex.count >= 2 ? String(hex.prefix(2)).lowercased() : nil
        }
    }
}

/// What a git-annex key says about its content.
enum AnnexKey {
    /// The size of the content the key names, when the key says: its `-sNNN` field
    /// (`SHA256E-s1048576--…`), or for a chunk key (`…-s1048576-S10485-C3--…`, chunk 3 of
    /// chunks of 10485 bytes) the size of that chunk.
    static func size(_ key: String) -> Int64? {
        guard let separator = key.range(of: "--") else { return nil }
        var total: Int64?
        var chunkSize: Int64?
        var chunkNumber: Int64?
        for field in key[..<separator.lowerBound].split(separator: "-").dropFirst() {
            guard let letter = field.first, let value = Int64(field.dropFirst()), value >= 0 else { continue }
            switch letter {
            case "s": total = value
            case "S": chunkSize = value
            case "C": chunkNumber = value
            default: continue
            }
        }
        guard let total else { return nil }
        guard let chunkSize, let chunkNumber, chunkSize > 0, chunkNumber >= 1 else { return total }
        let (offset, overflow) = (chunkNumber - 1).multipliedReportingOverflow(by: chunkSize)
        guard !overflow, offset < total else { return nil }
        return min(chunkSize, total - offset)
    }

    /// A key is one word (git-annex never puts whitespace in keys) and never a path.
    static func isValid(_ key: String) -> Bool {
        !key.isEmpty && !key.contains(where: { $0.isWhitespace || $0 == "/" }) && key != "." && key != ".."
    }
}

/// Remote paths joined the way the protocol's methods want them.
enum AnnexPath {
    /// `/folder` + relative components, without doubled slashes.
    static func join(_ folder: String, _ components: String...) -> String {
        var path = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        for component in components where !component.isEmpty {
            path += "/" + component
        }
        return path.isEmpty ? "/" : path
    }

    /// The parent folder and the name of `path`.
    static func split(_ path: String) -> (parent: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("/", path) }
        let parent = String(path[..<slash])
        return (parent.isEmpty ? "/" : parent, String(path[path.index(after: slash)...]))
    }

    /// An export name (a relative path from git's tree) is acceptable: no empty, `.` or `..`
    /// component, not absolute.
    static func isValidExportName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/") else { return false }
        return !name.split(separator: "/", omittingEmptySubsequences: false).contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }
}
