import FichierAPI
@testable import FichierRPC
import Testing

@Suite("Shared and exclusive ordering keys")
struct OrderingKeyTests {
    @Test func sharedHoldersRunTogetherExclusiveOnesWait() async throws {
        let sequencer = KeyedSequencer()
        let reader1 = sequencer.reserve(ordering: [.shared("/a")])
        let reader2 = sequencer.reserve(ordering: [.shared("/a")])
        let writer = sequencer.reserve(ordering: [.exclusive("/a")])
        let reader3 = sequencer.reserve(ordering: [.shared("/a")])
        try await sequencer.acquire(reader1)
        try await sequencer.acquire(reader2)  // shared with reader1: not blocked
        let order = Locked<[String]>([])
        let writing = Task {
            try await sequencer.acquire(writer)
            order.withLock { $0.append("writer") }
        }
        let reading = Task {
            try await sequencer.acquire(reader3)
            order.withLock { $0.append("reader3") }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(order.withLock { $0 }.isEmpty)
        sequencer.release(reader1)
        try await Task.sleep(for: .milliseconds(20))
        #expect(order.withLock { $0 }.isEmpty)  // reader2 still holds /a
        sequencer.release(reader2)
        try await writing.value
        try await Task.sleep(for: .milliseconds(20))
        #expect(order.withLock { $0 } == ["writer"])  // reader3 arrived after the writer
        sequencer.release(writer)
        try await reading.value
        #expect(order.withLock { $0 } == ["writer", "reader3"])
        sequencer.release(reader3)
        #expect(sequencer.activeKeys == 0)
    }

    @Test func aKeyNamedTwiceIsExclusive() async throws {
        let sequencer = KeyedSequencer()
        let first = sequencer.reserve(ordering: [.shared("k")])
        let second = sequencer.reserve(ordering: [.shared("k"), .exclusive("k")])
        #expect(second.keys == ["k"])
        #expect(second.sharedKeys.isEmpty)
        try await sequencer.acquire(first)
        let started = Locked(false)
        let task = Task {
            try await sequencer.acquire(second)
            started.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(30))
        #expect(!started.withLock { $0 })
        sequencer.release(first)
        try await task.value
        sequencer.release(second)
    }

    @Test func pathKeysLockAPathAndShareItsAncestors() throws {
        let path = try RemotePath("/a/b/c.txt")
        #expect(PathKeys.mutation(path) == [.exclusive("path:/a/b/c.txt"), .shared("path:/a/b"), .shared("path:/a"),
                                            .shared("path:/")])
        #expect(PathKeys.read(path).allSatisfy { $0.isShared })
        #expect(PathKeys.read(.root) == [.shared("path:/")])
    }

    /// Uploads into one folder run side by side; an rmdir of that folder waits for them,
    /// and an upload after the rmdir waits for it.
    @Test func mutationsInsideAFolderShareItRmdirExcludes() async throws {
        let sequencer = KeyedSequencer()
        let upload1 = sequencer.reserve(ordering: PathKeys.mutation(try RemotePath("/d/1")))
        let upload2 = sequencer.reserve(ordering: PathKeys.mutation(try RemotePath("/d/2")))
        let rmdir = sequencer.reserve(ordering: PathKeys.mutation(try RemotePath("/d")))
        let upload3 = sequencer.reserve(ordering: PathKeys.mutation(try RemotePath("/d/3")))
        let listRoot = sequencer.reserve(ordering: PathKeys.read(.root))
        try await sequencer.acquire(upload1)
        try await sequencer.acquire(upload2)
        try await sequencer.acquire(listRoot)  // reads of ancestors are never blocked by uploads
        let removed = Locked(false)
        let removal = Task {
            try await sequencer.acquire(rmdir)
            removed.withLock { $0 = true }
        }
        let third = Task { try await sequencer.acquire(upload3) }
        try await Task.sleep(for: .milliseconds(30))
        #expect(!removed.withLock { $0 })
        sequencer.release(upload1)
        sequencer.release(upload2)
        try await removal.value
        sequencer.release(rmdir)
        try await third.value
        sequencer.release(upload3)
        sequencer.release(listRoot)
        #expect(sequencer.activeKeys == 0)
    }
}
