import FichierAPI
import Foundation
import Logging
import Synchronization

/// Runs remote upload requests (remote/request.cgi) in the background: each URL is fetched in
/// turn, stored in the requested folder, and its outcome recorded for remote/ls and remote/info.
final class RemoteUploads: Sendable {
    private let store: EmulatorStore
    private let logger: Logger
    private let running = Mutex([Int: Task<Void, Never>]())

    init(store: EmulatorStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Starts processing a task recorded in the state.
    func start(_ id: Int) {
        running.withLock { running in
            guard running[id] == nil else { return }
            running[id] = Task { [self] in
                await self.process(id)
                _ = self.running.withLock { $0.removeValue(forKey: id) }
            }
        }
    }

    /// Restarts the tasks left unfinished by a previous run.
    func resumePending() {
        let pending = store.peek { state in state.remoteTasks.values.filter { $0.executionDate.isEmpty }.map(\.id) }
        for id in pending.sorted() { start(id) }
    }

    /// Cancels running fetches and waits for them.
    func stop() async {
        let tasks = running.withLock { Array($0.values) }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    /// Waits until no task is running (for tests).
    func idle() async {
        while true {
            let tasks = running.withLock { Array($0.values) }
            if tasks.isEmpty { return }
            for task in tasks { await task.value }
        }
    }

    private func process(_ id: Int) async {
        let fetcher = RemoteFetcher(store: store)
        while !Task.isCancelled {
            guard let task = store.peek({ $0.remoteTasks[id] }), task.results.count < task.urls.count else { break }
            let address = task.urls[task.results.count]
            let result: RemoteTask.Result
            do {
                let fetched = try await fetcher.fetch(address, headers: task.headers)
                if Task.isCancelled {
                    if let path = fetched.temporaryPath { FileSystem.remove(path) }
                    return
                }
                let url = try storeFile(fetched, folder: task.folderID)
                result = RemoteTask.Result(status: "OK", url: address, downloadLink: url, message: "")
            } catch {
                if Task.isCancelled { return }
                logger.debug("remote upload \(id): \(address): \(error)")
                result = RemoteTask.Result(status: "KO", url: address, downloadLink: "", message: "\(error)")
            }
            _ = try? store.mutate { state throws(APIError) in state.remoteTasks[id]?.results.append(result) }
        }
        if Task.isCancelled { return }
        _ = try? store.mutate { state throws(APIError) in
            if state.remoteTasks[id]?.executionDate.isEmpty == true {
                state.remoteTasks[id]?.executionDate = ParisTime.format(Date())
            }
        }
    }

    private func storeFile(_ fetched: RemoteFetcher.Fetched, folder: Int) throws -> String {
        let id = RandomIdentifiers.fileID()
        if let path = fetched.temporaryPath { try store.adoptBlob(from: path, as: id) }
        let now = Date()
        let stored = try store.mutate { state throws(APIError) -> StoredFile in
            let file = StoredFile(
                id: id, name: fetched.name, folderID: state.folderExists(folder) ? folder : 0, size: fetched.size,
                checksum: fetched.checksum,
                contentType: ContentTypes.guess(fileName: fetched.name, declared: fetched.declaredType),
                date: ParisTime.format(now), created: now.timeIntervalSince1970,
                sequence: state.takeSequence(), blob: fetched.temporaryPath == nil ? nil : id)
            state.insert(file)
            return file
        }
        return stored.url
    }
}
