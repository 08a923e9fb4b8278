import FichierAPI

/// The ordering keys of operations on remote paths, decided when a request arrives.
///
/// A mutation holds its own path exclusively and each ancestor shared; a read (listing,
/// stat, download, link) holds its path and each ancestor shared. So on one path,
/// mutations and reads keep their arrival order; a mutation of a folder (`fs/rmdir`,
/// `fs/move`) is ordered with everything below it; uploads into one folder, and reads
/// anywhere, run side by side. Files given by URL are keyed by their URL.
enum PathKeys {
    static func name(_ path: RemotePath) -> String {
        "path:" + path.description
    }

    static func url(_ url: String) -> OrderingKey {
        .exclusive("url:" + url)
    }

    /// Exclusive on `path`, shared on its ancestors.
    static func mutation(_ path: RemotePath) -> [OrderingKey] {
        [.exclusive(name(path))] + ancestors(of: path)
    }

    /// Shared on `path` and its ancestors.
    static func read(_ path: RemotePath) -> [OrderingKey] {
        [.shared(name(path))] + ancestors(of: path)
    }

    private static func ancestors(of path: RemotePath) -> [OrderingKey] {
        var keys: [OrderingKey] = []
        var current = path.parent
        while let folder = current {
            keys.append(.shared(name(folder)))
            current = folder.parent
        }
        return keys
    }
}
