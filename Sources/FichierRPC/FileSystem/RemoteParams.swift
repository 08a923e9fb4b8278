import Foundation
import FichierAPI

/// Parsing of the params shared by the 1fichier methods: remote paths, file URLs, and the
/// "one of path, url or urls" choice. Problems are -32602 naming the field.
enum RemoteParams {
    /// A remote path such as `/backups/2026/notes.txt` (`/` is the root).
    static func path(_ text: String, field: String) throws(RPCError) -> RemotePath {
        guard !text.isEmpty else { throw RPCError.invalidParams(path: field, problem: "must not be empty") }
        guard text.hasPrefix("/") else {
            throw RPCError.invalidParams(path: field, problem: "must be an absolute remote path starting with /")
        }
        do {
            return try RemotePath(text)
        } catch {
            throw RPCError.invalidParams(path: field, problem: error.message)
        }
    }

    /// A file's URL as 1fichier hands it out (`https://1fichier.com/?abc123`).
    static func fileURL(_ text: String, field: String) throws(RPCError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let lowered = trimmed.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://"), trimmed.count <= 2048,
              !trimmed.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw RPCError.invalidParams(path: field, problem: "expected a file URL such as https://1fichier.com/?abc123")
        }
        return trimmed
    }

    /// A new name for a file or folder: not empty, no `/`.
    static func name(_ text: String, field: String) throws(RPCError) -> String {
        guard !text.isEmpty else { throw RPCError.invalidParams(path: field, problem: "must not be empty") }
        guard !text.contains("/") else { throw RPCError.invalidParams(path: field, problem: "a name may not contain /") }
        guard text != "." && text != ".." else { throw RPCError.invalidParams(path: field, problem: "may not be . or ..") }
        return text
    }

    /// What a method acts on.
    enum Target: Sendable {
        case path(RemotePath)
        case url(String)
        case urls([String])

        /// The ordering keys of a mutation of this target.
        var mutationKeys: [OrderingKey] {
            switch self {
            case .path(let path): PathKeys.mutation(path)
            case .url(let url): [PathKeys.url(url)]
            case .urls(let urls): urls.map(PathKeys.url)
            }
        }

        /// The ordering keys of a read of this target.
        var readKeys: [OrderingKey] {
            switch self {
            case .path(let path): PathKeys.read(path)
            case .url(let url): [.shared("url:" + url)]
            case .urls(let urls): urls.map { .shared("url:" + $0) }
            }
        }
    }

    /// Exactly one of `path`, `url`, `urls` (the latter only where `allowURLs`).
    static func target(path: String?, url: String?, urls: [String]?, allowURLs: Bool,
                       pathField: String = "path") throws(RPCError) -> Target {
        let given = [path != nil, url != nil, urls != nil].filter { $0 }.count
        guard given == 1 else {
            let names = allowURLs ? "\(pathField), url or urls" : "\(pathField) or url"
            throw RPCError.invalidParams(path: "", problem: given == 0 ? "give one of \(names)" : "give only one of \(names)")
        }
        if let path { return .path(try Self.path(path, field: pathField)) }
        if let url { return .url(try fileURL(url, field: "url")) }
        guard let urls, !urls.isEmpty else { throw RPCError.invalidParams(path: "urls", problem: "must not be empty") }
        var checked: [String] = []
        for (index, url) in urls.enumerated() {
            checked.append(try fileURL(url, field: "urls[\(index)]"))
        }
        return .urls(checked)
    }
}
