/// A change the client made itself, announced to listing caches so they stay true without
/// re-listing (1fichier allows one listing per folder per 30 s).
enum FolderChange: Sendable {
    case fileAdded(folder: FolderID, file: RemoteFile)
    case filesRemoved(urls: [String])
    case filesMoved(urls: [String], to: FolderID, renamedTo: String?)
    case filesCopied(copies: [CopiedFile], to: FolderID, renamedTo: String?)
    case fileRenamed(url: String, wireName: String)
    case filesChanged(urls: [String])
    case folderAdded(parent: FolderID, folder: FolderSummary)
    case folderRemoved(id: FolderID)
    case folderMoved(id: FolderID, to: FolderID, wireName: String?)
    /// Changed in ways we can't replay (e.g. a remote upload will add files later).
    case folderStale(id: FolderID)
}

/// Something that keeps state derived from listings.
protocol FolderChangeObserver: AnyObject, Sendable {
    func apply(_ change: FolderChange) async
}

/// The client's observers, held weakly.
final class FolderChangeObservers: Sendable {
    private struct Entry {
        weak var observer: (any FolderChangeObserver)?
    }

    private let entries = Locked<[Entry]>([])

    func add(_ observer: any FolderChangeObserver) {
        entries.withLock { list in
            list.removeAll { $0.observer == nil }
            list.append(Entry(observer: observer))
        }
    }

    func announce(_ change: FolderChange) async {
        let current = entries.withLock { $0.compactMap(\.observer) }
        for observer in current { await observer.apply(change) }
    }
}
