/// A path in the account's folder tree, as users write it: `/backups/2026/x.zip`. Components
/// are user names (decoded, see `NameCodec`). Repeated and trailing slashes are ignored; `.`
/// and `..` components are refused because they would be ambiguous.
public struct RemotePath: Sendable, Hashable, CustomStringConvertible {
    public let components: [String]

    /// The root folder, id 0.
    public static let root = RemotePath(validated: [])

    public init(_ text: String) throws(FichierError) {
        var parts: [String] = []
        for part in text.split(separator: "/", omittingEmptySubsequences: true) {
            let name = String(part)
            if name == "." || name == ".." {
                throw FichierError(.invalidArgument, "a remote path may not contain '.' or '..' components")
            }
            if name.unicodeScalars.contains(where: { $0.value == 0 }) {
                throw FichierError(.invalidArgument, "a remote path may not contain NUL characters")
            }
            parts.append(name)
        }
        components = parts
    }

    /// Builds a path from components that are already names (a component may contain no `/`).
    public init(components: [String]) throws(FichierError) {
        for name in components {
            if name.isEmpty || name.contains("/") || name == "." || name == ".." {
                throw FichierError(.invalidArgument, "invalid path component")
            }
        }
        self.components = components
    }

    private init(validated: [String]) {
        components = validated
    }

    public var isRoot: Bool { components.isEmpty }

    /// The last component; nil for the root.
    public var name: String? { components.last }

    /// The enclosing folder; nil for the root.
    public var parent: RemotePath? {
        isRoot ? nil : RemotePath(validated: Array(components.dropLast()))
    }

    /// This path with one more component. Throws for an empty name, `.`, `..` or a name with `/`.
    public func appending(_ name: String) throws(FichierError) -> RemotePath {
        try RemotePath(components: components + [name])
    }

    public var description: String {
        "/" + components.joined(separator: "/")
    }
}
