/// Turns paths into folder ids and files by walking `folder/ls.cgi` (completed with date-windowed
/// `file/ls.cgi` calls for folders beyond 1fichier's 5,000-item cap), with a listing cache that
/// honours 1fichier's one-listing-per-folder-per-window rule (`listingWindow`, 30 s by
/// default). The client tells the resolver about its own uploads, removals, moves, renames and
/// new folders, so the cache stays true without re-listing; a listing that must be fetched
/// again inside the window waits for the window instead of flooding.
public actor PathResolver: FolderChangeObserver {
    public let client: FichierClient
    private let window: Duration

    private struct Entry {
        var listing: FolderListing
        var fetchedAt: ContinuousClock.Instant
        var stale: Bool
    }

    private var cache: [FolderID: Entry] = [:]
    /// When each folder was (or will be) listed, for the window rule.
    private var listedAt: [FolderID: ContinuousClock.Instant] = [:]
    private var inFlight: [FolderID: Task<FolderListing, any Error>] = [:]
    /// Changes seen while a folder's listing was being fetched, replayed onto the result.
    private var journal: [FolderID: [FolderChange]] = [:]
    private var pendingFolders: [String: Task<FolderID, any Error>] = [:]
    /// Folders this resolver made (`parent/name` → id) that the parent's cached listing may not
    /// show yet: a caller that looked at a listing fetched before the mkdir finds them here
    /// instead of making a twin. Dropped once the parent is listed again, or the folder goes.
    private var madeFolders: [String: FolderID] = [:]

    public init(client: FichierClient) {
        self.client = client
        window = client.configuration.listingWindow
        client.observers.add(self)
    }

    // MARK: - Lookups

    /// The id of the folder at `path`; `not_found` if a component is missing, `conflict` if a
    /// component names several folders.
    public func folderID(for path: RemotePath) async throws -> FolderID {
        var current: FolderID = 0
        for name in path.components {
            current = try await child(named: name, of: current)
        }
        return current
    }

    /// Like `mkdir -p`: the id of the folder at `path`, making missing folders on the way.
    public func ensureFolder(_ path: RemotePath) async throws -> FolderID {
        var current: FolderID = 0
        for name in path.components {
            do {
                current = try await child(named: name, of: current)
            } catch let error as FichierError where error.kind == .notFound {
                let parent = current
                do {
                    current = try await makeFolder(named: name, in: parent)
                } catch let refused as FichierError where refused.kind == .conflict {
                    // Made meanwhile by someone else (another process, the web interface):
                    // "Another folder with the same name already exists #903". List again.
                    noteChanged(folder: parent)
                    current = try await child(named: name, of: parent)
                }
            }
        }
        return current
    }

    /// The cached listing of `folder` with all its files (fetched when missing or stale; see
    /// `FolderListing.filesComplete` for the one case where 1fichier cannot list them all).
    public func listing(of folder: FolderID) async throws -> FolderListing {
        if let entry = cache[folder], !entry.stale { return entry.listing }
        return try await fetch(folder)
    }

    /// The file at `path`; `not_found`, or `conflict` when several files share the name.
    public func file(at path: RemotePath) async throws -> RemoteFile {
        guard let name = path.name, let parent = path.parent else {
            throw FichierError(.invalidArgument, "the root is a folder, not a file")
        }
        let folder = try await folderID(for: parent)
        var matches = try await listing(of: folder).files.filter { $0.name == name }
        if matches.isEmpty, try await refreshIfOld(folder) {
            matches = try await listing(of: folder).files.filter { $0.name == name }
        }
        guard !matches.isEmpty else { throw FichierError(.notFound, "no file \(path)") }
        guard matches.count == 1 else {
            throw FichierError(.conflict, "\(matches.count) files are named \(path)")
        }
        return matches[0]
    }

    /// Marks a folder's listing as out of date (changed by someone else); the next lookup
    /// lists it again, once the window allows.
    public func noteChanged(folder: FolderID) {
        cache[folder]?.stale = true
    }

    // MARK: - Walking

    private func child(named name: String, of parent: FolderID) async throws -> FolderID {
        var matches = try await listing(of: parent).subfolders.filter { $0.name == name }
        if matches.isEmpty, try await refreshIfOld(parent) {
            matches = try await listing(of: parent).subfolders.filter { $0.name == name }
        }
        guard !matches.isEmpty else { throw FichierError(.notFound, "no folder named \(name) in folder \(parent)") }
        guard matches.count == 1 else {
            throw FichierError(.conflict, "\(matches.count) folders are named \(name) in folder \(parent)")
        }
        return matches[0].id
    }

    /// A listing older than the window may miss changes made elsewhere: mark it stale so it is
    /// fetched again (without waiting). Returns whether it did.
    private func refreshIfOld(_ folder: FolderID) async throws -> Bool {
        guard let entry = cache[folder], !entry.stale, ContinuousClock.now - entry.fetchedAt >= window else {
            return false
        }
        cache[folder]?.stale = true
        return true
    }

    /// One mkdir per (parent, name), so concurrent `ensureFolder` calls don't make twins: a
    /// caller joins a running mkdir, or finds the folder made since it looked.
    private func makeFolder(named name: String, in parent: FolderID) async throws -> FolderID {
        let key = "\(parent)/\(name)"
        if let running = pendingFolders[key] { return try await running.value }
        if let made = madeFolders[key] { return made }
        if let entry = cache[parent], !entry.stale {
            let existing = entry.listing.subfolders.filter { $0.name == name }
            if existing.count == 1 { return existing[0].id }
        }
        let client = self.client
        let task = Task<FolderID, any Error> {
            try await client.makeFolder(named: name, in: parent).id
        }
        pendingFolders[key] = task
        defer { pendingFolders[key] = nil }
        let id = try await task.value
        madeFolders[key] = id
        return id
    }

    private func fetch(_ folder: FolderID) async throws -> FolderListing {
        if let running = inFlight[folder] { return try await running.value }
        let now = ContinuousClock.now
        let previous = listedAt[folder]
        let earliest = previous.map { $0 + window }
        let start = max(now, earliest ?? now)
        listedAt[folder] = start
        let client = self.client
        let task = Task<FolderListing, any Error> {
            if start > ContinuousClock.now {
                try await Task.sleep(until: start, clock: .continuous)
            }
            return try await client.listFolderCompletely(folder)
        }
        inFlight[folder] = task
        journal[folder] = []
        defer {
            inFlight[folder] = nil
            journal[folder] = nil
        }
        var listing: FolderListing
        do {
            listing = try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        } catch {
            // A listing 1fichier never saw doesn't count against the window.
            let fichier = error as? FichierError
            if error is CancellationError || fichier?.kind == .cancelled || fichier?.transport?.neverReachedServer == true {
                listedAt[folder] = previous
            }
            throw error
        }
        for change in journal[folder] ?? [] {
            listing = Self.replay(change, on: listing, folder: folder)
        }
        // The window counts from when the answer came back: 1fichier saw the call before that.
        let done = ContinuousClock.now
        listedAt[folder] = max(listedAt[folder] ?? done, done)
        cache[folder] = Entry(listing: listing, fetchedAt: done, stale: false)
        // The listing (with our own changes replayed) now shows the folders we made here.
        madeFolders = madeFolders.filter { !$0.key.hasPrefix("\(folder)/") }
        return listing
    }

    // MARK: - Our own changes

    func apply(_ change: FolderChange) async {
        for folder in inFlight.keys { journal[folder, default: []].append(change) }
        switch change {
        case .fileAdded(let folder, _), .folderAdded(let folder, _), .folderStale(let folder):
            update(folder) { Self.replay(change, on: $0, folder: folder) }
            if case .folderStale = change { noteChanged(folder: folder) }
        case .filesRemoved, .fileRenamed:
            for folder in cache.keys { update(folder) { Self.replay(change, on: $0, folder: folder) } }
        case .filesChanged(let urls):
            let touched = Set(urls)
            for (folder, entry) in cache where entry.listing.files.contains(where: { touched.contains($0.url) }) {
                noteChanged(folder: folder)
            }
        case .filesMoved(let urls, let destination, let wireName):
            let moving = Set(urls)
            var found: [RemoteFile] = []
            for (folder, entry) in cache {
                found += entry.listing.files.filter { moving.contains($0.url) }
                if folder != destination {
                    update(folder) { listing in
                        var listing = listing
                        listing.files.removeAll { moving.contains($0.url) }
                        return listing
                    }
                }
            }
            if found.count < moving.count { noteChanged(folder: destination) }
            update(destination) { listing in
                var listing = listing
                for var file in found where !listing.files.contains(where: { $0.url == file.url }) {
                    if let wireName { file.rename(wire: wireName) }
                    listing.files.append(file)
                }
                if let wireName {
                    for index in listing.files.indices where moving.contains(listing.files[index].url) {
                        listing.files[index].rename(wire: wireName)
                    }
                }
                return listing
            }
        case .filesCopied(let copies, let destination, let wireName):
            var sources: [String: RemoteFile] = [:]
            for entry in cache.values {
                for file in entry.listing.files { sources[file.url] = file }
            }
            var added: [RemoteFile] = []
            for copy in copies {
                guard var file = sources[copy.sourceURL] else { continue }
                file.url = copy.url
                if let wireName { file.rename(wire: wireName) }
                added.append(file)
            }
            if added.count < copies.count { noteChanged(folder: destination) }
            update(destination) { listing in
                var listing = listing
                for file in added where !listing.files.contains(where: { $0.url == file.url }) {
                    listing.files.append(file)
                }
                return listing
            }
        case .folderRemoved(let id):
            cache[id] = nil
            madeFolders = madeFolders.filter { $0.value != id }
            for folder in cache.keys { update(folder) { Self.replay(change, on: $0, folder: folder) } }
        case .folderMoved(let id, let destination, let wireName):
            madeFolders = madeFolders.filter { $0.value != id }
            var moved: FolderSummary?
            for (folder, entry) in cache {
                if let summary = entry.listing.subfolders.first(where: { $0.id == id }) {
                    moved = summary
                    update(folder) { listing in
                        var listing = listing
                        listing.subfolders.removeAll { $0.id == id }
                        return listing
                    }
                }
            }
            if var summary = moved {
                if let wireName { summary.rename(wire: wireName) }
                update(destination) { listing in
                    var listing = listing
                    listing.subfolders.removeAll { $0.id == id }
                    listing.subfolders.append(summary)
                    return listing
                }
            } else {
                noteChanged(folder: destination)
            }
            if let wireName { update(id) { listing in var listing = listing; listing.rename(wire: wireName); return listing } }
        }
    }

    private func update(_ folder: FolderID, _ transform: (FolderListing) -> FolderListing) {
        guard let entry = cache[folder] else { return }
        cache[folder]?.listing = transform(entry.listing)
    }

    /// The effect of a change on one listing, for changes that can be replayed anywhere
    /// (the journal replays them onto listings fetched while they happened).
    static func replay(_ change: FolderChange, on listing: FolderListing, folder: FolderID) -> FolderListing {
        var listing = listing
        switch change {
        case .fileAdded(let target, let file) where target == folder:
            if !listing.files.contains(where: { $0.url == file.url }) { listing.files.append(file) }
        case .filesRemoved(let urls):
            let gone = Set(urls)
            listing.files.removeAll { gone.contains($0.url) }
        case .fileRenamed(let url, let wireName):
            for index in listing.files.indices where listing.files[index].url == url {
                listing.files[index].rename(wire: wireName)
            }
        case .folderAdded(let parent, let summary) where parent == folder:
            if !listing.subfolders.contains(where: { $0.id == summary.id }) { listing.subfolders.append(summary) }
        case .folderRemoved(let id):
            listing.subfolders.removeAll { $0.id == id }
        case .filesMoved(let urls, let destination, _) where destination != folder:
            let gone = Set(urls)
            listing.files.removeAll { gone.contains($0.url) }
        case .folderMoved(let id, let destination, _) where destination != folder:
            listing.subfolders.removeAll { $0.id == id }
        default:
            break
        }
        return listing
    }
}

extension RemoteFile {
    mutating func rename(wire: String) {
        wireName = wire
        name = NameCodec.decode(wire)
    }
}

extension FolderSummary {
    mutating func rename(wire: String) {
        wireName = wire
        name = NameCodec.decode(wire)
    }
}

extension FolderListing {
    mutating func rename(wire: String) {
        wireName = wire
        name = NameCodec.decode(wire)
    }
}
