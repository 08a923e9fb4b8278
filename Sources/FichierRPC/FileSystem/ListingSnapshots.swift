import FichierAPI
import Foundation

/// The listings behind `fs/list` cursors: a large folder is paged from one snapshot, so its
/// pages are consistent with each other (no entry twice or missed) even if the folder
/// changes meanwhile. Kept for `lifetime`, at most `capacity` of them.
final class ListingSnapshots: Sendable {
    struct Snapshot: Sendable {
        var folder: FolderEntry
        var folders: [FolderEntry]
        var files: [FileEntry]
        var complete: Bool
        var reportedFileCount: Int?
        var created: ContinuousClock.Instant = .now

        var count: Int { folders.count + files.count }
    }

    static let capacity = 32
    static let lifetime: Duration = .seconds(600)

    private struct State {
        var snapshots: [String: Snapshot] = [:]
        var order: [String] = []
    }

    private let state = Locked(State())

    /// Keeps `snapshot`; returns its id.
    func store(_ snapshot: Snapshot) -> String {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let key = String(id)
        state.withLock { state in
            Self.expire(&state)
            state.snapshots[key] = snapshot
            state.order.append(key)
            while state.order.count > Self.capacity {
                state.snapshots[state.order.removeFirst()] = nil
            }
        }
        return key
    }

    func snapshot(_ id: String) -> Snapshot? {
        state.withLock { state in
            Self.expire(&state)
            return state.snapshots[id]
        }
    }

    /// Forgets a snapshot once its last page was served.
    func drop(_ id: String) {
        state.withLock { state in
            state.snapshots[id] = nil
            state.order.removeAll { $0 == id }
        }
    }

    private static func expire(_ state: inout State) {
        let now = ContinuousClock.now
        while let first = state.order.first, let snapshot = state.snapshots[first],
              now - snapshot.created > lifetime {
            state.order.removeFirst()
            state.snapshots[first] = nil
        }
        state.order.removeAll { state.snapshots[$0] == nil }
    }
}

/// An `fs/list` cursor: `<snapshot id>.<offset>`, opaque to clients.
struct ListCursor: Sendable {
    var snapshot: String
    var offset: Int

    init(snapshot: String, offset: Int) {
        self.snapshot = snapshot
        self.offset = offset
    }

    init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let offset = Int(parts[1]), offset >= 0,
              parts[0].count == 16, parts[0].allSatisfy({ $0.isHexDigit }) else { return nil }
        snapshot = String(parts[0])
        self.offset = offset
    }

    var text: String { "\(snapshot).\(offset)" }
}
