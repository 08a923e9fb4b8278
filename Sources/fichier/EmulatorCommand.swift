import ArgumentParser
import Dispatch
import FichierEmulator
import Foundation
import Logging

/// `fichier emulator`: a local 1fichier.com (API, upload node, downloads) on one port, until
/// SIGINT or SIGTERM.
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run a local 1fichier.com emulator (API under /v1, upload node, downloads) on one port.",
        discussion: """
            Prints "fichier emulator listening on http://HOST:PORT" on stderr once ready and runs until \
            SIGINT or SIGTERM. Clients use http://HOST:PORT/v1 as the API URL with one of the keys as Bearer.

            A --data directory serves one emulator at a time: while one runs (this command or \
            `fichier serve --sandbox DIR`), another on the same directory exits 2 with a message naming \
            the directory and the running one's pid. The lock goes away with its process, even one \
            killed with SIGKILL.
            """)

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Data directory (kept across runs; one emulator at a time, locked with DIR/emulator.lock). Default: a temporary directory removed at exit.")
    var data: String?

    @Option(name: .customLong("key"), help: "An API key the emulator accepts (repeatable).")
    var keys: [String] = []

    @Option(name: .customLong("key-file"), help: "A file with accepted API keys, one per line (repeatable); keeps keys out of argv.")
    var keyFiles: [String] = []

    @Flag(help: "Keep metadata only: upload bodies are parsed and dropped, checksums empty (for benchmarks).")
    var discard = false

    @Flag(name: .customLong("rate-limits"), help: "Enforce the service's rate limits (3 calls/s, 1 listing per folder per 30 s, user/info every 5 min).")
    var rateLimits = false

    @Option(name: .customLong("flood-lock"), help: "With --rate-limits: seconds every call stays refused after a flood.")
    var floodLock: Int = 0

    @Option(name: .customLong("token-lifetime"), help: "Seconds a download token stays valid.")
    var tokenLifetime: Int = 300

    @Option(help: "Milliseconds of latency added to every request.")
    var latency: Int = 0

    @Option(name: .customLong("node-host"), help: "Host name get_upload_server hands out (default: the request's Host header).")
    var nodeHost: String?

    @Option(name: .customLong("listing-cap"), help: "Maximum items in one listing (the service: 5000; 0 for none).")
    var listingCap: Int = 5_000

    @Option(name: .customLong("seed-files"), help: "Create FOLDER_PATH:COUNT:SIZE files at start, e.g. /bench:10000:1024 (repeatable).")
    var seedFiles: [String] = []

    @Flag(name: .shortAndLong, help: "Log every request on stderr.")
    var verbose = false

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard tokenLifetime > 0 else { throw ValidationError("--token-lifetime must be positive") }
        guard latency >= 0, floodLock >= 0, listingCap >= 0 else {
            throw ValidationError("--latency, --flood-lock and --listing-cap cannot be negative")
        }
        for seed in seedFiles where SeedSpec(seed) == nil {
            throw ValidationError("--seed-files expects FOLDER_PATH:COUNT:SIZE, got \(seed)")
        }
    }

    func run() async throws {
        var accepted = keys
        for path in keyFiles {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read --key-file \(path)")
            }
            accepted += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        accepted = accepted.filter { !$0.isEmpty }
        guard !accepted.isEmpty else { throw ValidationError("give at least one --key or --key-file") }

        var logger = Logger(label: "fichier.emulator", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = verbose ? .info : .warning

        var configuration = EmulatorConfiguration(apiKeys: accepted)
        configuration.host = host
        configuration.port = port
        configuration.dataDirectory = data.map(LocalPath.absolute)
        configuration.storage = discard ? .discard : .disk
        if rateLimits {
            var limits = RateLimits.real
            limits.lockDuration = .seconds(floodLock)
            configuration.rateLimits = limits
        }
        configuration.tokenLifetime = .seconds(tokenLifetime)
        configuration.latency = .milliseconds(latency)
        configuration.uploadNodeHost = nodeHost
        configuration.listingCap = listingCap == 0 ? nil : listingCap
        configuration.logger = logger

        let emulator = Emulator(configuration)
        let signals = SignalWaiter(signals: [SIGINT, SIGTERM])
        do {
            try await emulator.start()
        } catch {
            // Exit 2 (configuration), e.g. when another process uses the data directory.
            FileHandle.standardError.write(Data("fichier emulator: cannot start: \(error)\n".utf8))
            throw ExitCode(2)
        }
        do {
            for seed in seedFiles {
                guard let spec = SeedSpec(seed) else { continue }
                let folder = try emulator.admin.ensureFolder(path: spec.path)
                try emulator.admin.addFiles(count: spec.count, in: folder, size: spec.size)
            }
        } catch {
            await emulator.stop()
            throw ValidationError("cannot seed files: \(error)")
        }
        FileHandle.standardError.write(Data("fichier emulator listening on \(emulator.baseURL)\n".utf8))
        let received = await signals.next()
        logger.info("signal \(received): shutting down")
        await emulator.stop()
    }
}

/// `FOLDER_PATH:COUNT:SIZE` of `--seed-files`.
struct SeedSpec {
    var path: String
    var count: Int
    var size: Int64

    init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let count = Int(parts[parts.count - 2]), let size = Int64(parts[parts.count - 1]),
              count >= 0, size > 0 else { return nil }
        path = parts[0..<(parts.count - 2)].joined(separator: ":")
        self.count = count
        self.size = size
    }
}

/// Turns SIGINT/SIGTERM into an awaitable event instead of killing the process.
final class SignalWaiter {
    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The next signal received.
    func next() async -> Int32 {
        for await number in stream { return number }
        return 0
    }
}
