import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A local 1fichier.com on one port: the API under `/v1/…`, the upload node (`/upload.cgi`,
/// `/end.pl`) and download URLs. For tests (in-process), `fichier emulator`, the sandbox and
/// benchmarks.
public final class Emulator: Sendable {
    public let configuration: EmulatorConfiguration
    /// Runtime switches: faults, rate limits, latency, request log.
    public var faults: FaultInjector { core.faults }
    /// Seeds and inspects the state in-process.
    public let admin: EmulatorAdmin

    let core: EmulatorCore
    private let dataDirectory: String
    private let ownsDataDirectory: Bool
    private let lifecycle = Mutex(Lifecycle())

    private struct Lifecycle {
        var phase = Phase.idle
        var port = 0
        var group: ServiceGroup?
        var runner: Task<Void, any Error>?
    }

    private enum Phase { case idle, starting, running, stopped }

    public init(_ configuration: EmulatorConfiguration) {
        self.configuration = configuration
        if let directory = configuration.dataDirectory {
            dataDirectory = directory
            ownsDataDirectory = false
        } else {
            dataDirectory = FileManager.default.temporaryDirectory
                .appendingPathComponent("fichier-emulator-\(UUID().uuidString)").path
            ownsDataDirectory = true
        }
        core = EmulatorCore(configuration: configuration, dataDirectory: dataDirectory)
        admin = EmulatorAdmin(core: core)
    }

    /// The base URL, `http://127.0.0.1:PORT` (the bound port once started).
    public var baseURL: String {
        let port = lifecycle.withLock { $0.port }
        let host = configuration.host
        let shown = (host == "0.0.0.0" || host == "::" || host.isEmpty) ? "127.0.0.1" : host
        return "http://\(shown.contains(":") ? "[\(shown)]" : shown):\(port)"
    }

    /// The API base, `baseURL + "/v1"`.
    public var apiURL: String { baseURL + "/v1" }

    /// The data directory in use (a temporary one when the configuration gives none).
    public var dataDirectoryPath: String { dataDirectory }

    /// Takes the data directory's lock, loads the state, binds and returns once the server is
    /// listening.
    /// - Throws: `EmulatorError.dataDirectoryInUse` when another emulator (in this process or
    ///   another) uses the data directory; `EmulatorError.corruptState`, bind errors.
    public func start() async throws {
        try lifecycle.withLock { state throws(EmulatorError) in
            guard state.phase == .idle else { throw .alreadyStarted }
            state.phase = .starting
        }
        do {
            try core.store.open()
            try await listen()
        } catch {
            lifecycle.withLock { $0.phase = .idle }
            if ownsDataDirectory { FileSystem.removeTree(dataDirectory) }
            core.store.close()
            throw error
        }
        core.remote.resumePending()
    }

    private func listen() async throws {
        let hostForURLs: @Sendable () -> String = { [weak self] in
            guard let self else { return "127.0.0.1" }
            return String(self.baseURL.dropFirst("http://".count))
        }
        var serverLogger = core.logger
        serverLogger.logLevel = min(max(core.logger.logLevel, .warning), .critical)
        let started = StartSignal()
        let application = Application(
            responder: EmulatorResponder(core: core, fallbackHost: hostForURLs),
            server: .http1(configuration: .init(
                additionalChannelHandlers: [LargeReadsHandler(), ExpectContinueHandler()], idleTimeout: .seconds(300))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "nginx"),
            onServerRunning: { channel in started.succeed(port: channel.localAddress?.port ?? 0) },
            logger: serverLogger)
        let group = ServiceGroup(configuration: .init(
            services: [application], gracefulShutdownSignals: [], logger: serverLogger))
        let runner = Task {
            do {
                try await group.run()
                started.fail(EmulatorError.storage("the server stopped before listening"))
            } catch {
                started.fail(error)
                throw error
            }
        }
        lifecycle.withLock {
            $0.group = group
            $0.runner = runner
        }
        let port = try await started.wait()
        lifecycle.withLock {
            $0.port = port
            $0.phase = .running
        }
    }

    /// Stops listening (after in-flight requests), stops remote uploads, writes the state,
    /// removes the data directory if it was a temporary one, and releases its lock.
    public func stop() async {
        let (group, runner, wasRunning) = lifecycle.withLock { state -> (ServiceGroup?, Task<Void, any Error>?, Bool) in
            let wasRunning = state.phase == .running || state.phase == .starting
            state.phase = .stopped
            defer {
                state.group = nil
                state.runner = nil
            }
            return (state.group, state.runner, wasRunning)
        }
        guard wasRunning else { return }
        await core.remote.stop()
        await group?.triggerGracefulShutdown()
        if let runner {
            let deadline = Task {
                try await Task.sleep(for: .seconds(10))
                runner.cancel()
            }
            _ = await runner.result
            deadline.cancel()
        }
        await core.store.flush()
        if ownsDataDirectory { FileSystem.removeTree(dataDirectory) }
        core.store.close()
    }

    /// Waits until no remote upload is running (for tests).
    public func waitForRemoteUploads() async {
        await core.remote.idle()
    }
}

/// A one-shot signal from `onServerRunning` (or the failing server) to `start()`.
private final class StartSignal: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Int, any Error>?)
        case done(Result<Int, any Error>)
    }

    private let state = Mutex(State.waiting(nil))

    func succeed(port: Int) { finish(.success(port)) }
    func fail(_ error: any Error) { finish(.failure(error)) }

    private func finish(_ result: Result<Int, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Int, any Error>? in
            guard case .waiting(let continuation) = state else { return nil }
            state = .done(result)
            return continuation
        }
        continuation?.resume(with: result)
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Int, any Error>? in
                switch state {
                case .waiting:
                    state = .waiting(continuation)
                    return nil
                case .done(let result):
                    return result
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
