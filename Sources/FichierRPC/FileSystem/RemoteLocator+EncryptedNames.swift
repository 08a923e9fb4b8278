import FichierAPI

extension RemoteLocator {
    /// The file a user's path names, under the name it is stored as: the name itself first,
    /// then (in a session with a vault) its encrypted name and `NAME.age`. Encrypted names
    /// are deterministic, so this is a lookup in the folder's cached listing, not a search.
    /// `not_found` (a FichierError) when none exists.
    func file(storedAs path: RemotePath) async throws -> RemoteFile {
        guard let parent = path.parent, let name = path.name else { return try await resolver.file(at: path) }
        var notFound: FichierError?
        for candidate in names.candidates(for: name) {
            let stored: RemotePath
            if candidate == name {
                stored = path
            } else if let alternative = try? parent.appending(candidate) {
                stored = alternative
            } else {
                continue
            }
            do {
                return try await resolver.file(at: stored)
            } catch let error as FichierError where error.kind == .notFound {
                if notFound == nil { notFound = error }
            }
        }
        throw notFound ?? FichierError(.notFound, "no such file: \(path)")
    }

    /// Appended to `not_found` messages while encrypted names cannot be looked up.
    var lockedNamesHint: String {
        names.active && names.cipher == nil
            ? " (the vault is locked: files stored under encrypted names are found once it is unlocked)" : ""
    }
}
