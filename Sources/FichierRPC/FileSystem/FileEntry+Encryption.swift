import FichierAPI

extension FileEntry {
    /// This entry as the session's names show it: an encrypted file gets its decrypted name
    /// (and path), `encrypted: true` and the stored `remoteName`; one whose name cannot be
    /// decrypted keeps the stored name and says why in `decryptError` (never dropped).
    func viewed(through names: EncryptedNames) -> FileEntry {
        let view = names.view(of: name)
        guard view.encrypted else { return self }
        var entry = self
        entry.encrypted = true
        entry.remoteName = view.remoteName ?? name
        entry.decryptError = view.decryptError
        if view.name != name {
            entry.name = view.name
            if let path, let slash = path.lastIndex(of: "/") {
                entry.path = String(path[...slash]) + view.name
            }
        }
        return entry
    }
}
