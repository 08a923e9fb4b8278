import Foundation
import Logging
import Synchronization

/// The emulator's storage: the state (folders, files, account, remote tasks) under one lock,
/// persisted as `state.json` (rewritten atomically, coalesced), and the file bytes as blobs.
///
/// Layout of the data directory: `state.json`, `blobs/<file id>`, `incoming/` (uploads in progress),
/// `emulator.lock` (held while the store is open: one emulator per directory).
final class EmulatorStore: Sendable {
    let directory: String
    let storage: EmulatorConfiguration.Storage
    private let logger: Logger
    private let state = Mutex(EmulatorState())
    private let opened = Mutex(false)
    private let lock = Mutex<DataDirectoryLock?>(nil)
    private let saver = Mutex(SaveState())

    private struct SaveState {
        var dirty = false
        var task: Task<Void, Never>?
        var lastError: String?
    }

    var statePath: String { directory + "/state.json" }
    var blobDirectory: String { directory + "/blobs" }
    var incomingDirectory: String { directory + "/incoming" }

    init(directory: String, storage: EmulatorConfiguration.Storage, logger: Logger) {
        self.directory = directory
        self.storage = storage
        self.logger = logger
    }

    /// Takes the data directory's lock, creates the directories and loads `state.json` when
    /// present. Leftovers of interrupted uploads are removed. The lock is held until `close()`.
    /// - Throws: `EmulatorError.dataDirectoryInUse` when another emulator uses the directory.
    func open() throws {
        try FileSystem.makeDirectory(directory)
        let held = try DataDirectoryLock.acquire(directory: directory)
        do {
            try load()
        } catch {
            held.release()
            throw error
        }
        lock.withLock { $0 = held }
    }

    /// Releases the data directory's lock (after the last `flush()`).
    func close() {
        let held = lock.withLock { value -> DataDirectoryLock? in
            defer { value = nil }
            return value
        }
        held?.release()
    }

    private func load() throws {
        try FileSystem.makeDirectory(blobDirectory)
        try FileSystem.makeDirectory(incomingDirectory)
        for name in FileSystem.list(incomingDirectory) { FileSystem.remove(incomingDirectory + "/" + name) }
        guard FileSystem.exists(statePath) else {
            opened.withLock { $0 = true }
            return
        }
        let bytes = try FileSystem.readAll(statePath)
        let persisted: PersistedState
        do {
            persisted = try JSONDecoder().decode(PersistedState.self, from: Data(bytes))
        } catch {
            throw EmulatorError.corruptState(path: statePath, reason: "\(error)")
        }
        state.withLock { $0 = EmulatorState(persisted) }
        opened.withLock { $0 = true }
    }

    /// True once `open()` succeeded.
    var isOpen: Bool { opened.withLock { $0 } }

    // MARK: State access

    /// Reads the state under the lock.
    func read<T>(_ body: (EmulatorState) throws(APIError) -> T) throws(APIError) -> T {
        try state.withLock { state throws(APIError) in try body(state) }
    }

    /// Reads the state under the lock (non-throwing).
    func peek<T>(_ body: (EmulatorState) -> T) -> T {
        state.withLock { body($0) }
    }

    /// Changes the state under the lock and schedules a save when the body returns normally.
    func mutate<T>(_ body: (inout EmulatorState) throws(APIError) -> T) throws(APIError) -> T {
        let result = try state.withLock { state throws(APIError) in try body(&state) }
        scheduleSave()
        return result
    }

    // MARK: Blobs

    func blobPath(_ name: String) -> String { blobDirectory + "/" + name }

    /// A fresh path for an upload in progress.
    func incomingPath() -> String { incomingDirectory + "/" + UUID().uuidString + ".part" }

    /// Moves a received upload into the blob store under `name`.
    func adoptBlob(from incoming: String, as name: String) throws(StorageError) {
        try FileSystem.rename(incoming, blobPath(name))
    }

    func removeBlob(_ name: String?) {
        if let name { FileSystem.remove(blobPath(name)) }
    }

    // MARK: Persistence

    /// Marks the state dirty; a background task writes it soon, coalescing bursts of changes.
    func scheduleSave() {
        saver.withLock { save in
            save.dirty = true
            guard save.task == nil else { return }
            save.task = Task { [self] in await self.saveLoop() }
        }
    }

    /// Writes soon after the first change, then at most every `saveInterval` while changes
    /// keep coming, so a stream of small uploads does not turn into a stream of rewrites.
    private func saveLoop() async {
        try? await Task.sleep(for: .milliseconds(20))
        while true {
            let proceed = saver.withLock { save -> Bool in
                guard save.dirty else {
                    save.task = nil
                    return false
                }
                save.dirty = false
                return true
            }
            guard proceed else { return }
            writeState()
            try? await Task.sleep(for: Self.saveInterval)
        }
    }

    static let saveInterval = Duration.milliseconds(250)

    /// Waits for a pending save and writes the state once more; used on shutdown.
    func flush() async {
        let task = saver.withLock { $0.task }
        await task?.value
        writeState()
    }

    private func writeState() {
        let snapshot = state.withLock { $0.persisted }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(snapshot)
            try FileSystem.writeAtomically(Array(data), to: statePath, directory: directory)
            saver.withLock { $0.lastError = nil }
        } catch {
            saver.withLock { $0.lastError = "\(error)" }
            logger.error("cannot save the emulator state: \(error)")
        }
    }

    /// The last persistence failure, if the most recent save failed.
    var lastSaveError: String? { saver.withLock { $0.lastError } }
}
