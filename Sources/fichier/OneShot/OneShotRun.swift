import ArgumentParser
import FichierAPI
import FichierRPC
import Foundation
import Logging

/// One run of a one-shot verb: the session, the output mode and the exit status so far.
final class OneShotRun: @unchecked Sendable {
    let session: OneShotSession
    let json: Bool
    let progress: ProgressBar
    private let lock = NSLock()
    private var status: Int32 = 0

    init(session: OneShotSession, json: Bool, progress: ProgressBar) {
        self.session = session
        self.json = json
        self.progress = progress
    }

    var exitStatus: Int32 { lock.withLock { status } }

    /// Calls `method`; on failure reports the error on stderr, keeps the first failure's
    /// exit status and returns nil.
    func call(_ method: String, _ params: JSONValue, label: String = "") async -> JSONValue? {
        switch await session.call(method, params, label: label) {
        case .result(let result):
            progress.clear()
            return result
        case .failure(let error, let raw):
            progress.clear()
            fail(error, raw: raw)
            return nil
        }
    }

    /// Prints a result: the object itself with `--json`, `human` otherwise.
    func emit(_ result: JSONValue, human: () -> String) {
        var text: String
        if json {
            text = String(decoding: result.serialized(), as: UTF8.self)
        } else {
            text = human()
        }
        guard !text.isEmpty else { return }
        if !text.hasSuffix("\n") { text += "\n" }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    func fail(_ error: RPCError, raw: JSONValue) {
        let line: String
        if json, raw != .null {
            line = String(decoding: raw.serialized(), as: UTF8.self)
        } else {
            var text = "fichier: \(error.message)"
            if let provider = error.data.provider?.message, !error.message.contains(provider) {
                text += " (1fichier: \(provider))"
            }
            if error.data.retryable {
                text += error.data.retryAfterMs.map { "; retry in \($0 / 1000) s" } ?? "; it may work if retried"
            }
            line = text
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
        lock.withLock { if status == 0 { status = FichierRPC.exitStatus(for: error) } }
    }

    /// A usage problem found before any call (exit 2).
    func usage(_ message: String) {
        FileHandle.standardError.write(Data("fichier: \(message)\n".utf8))
        lock.withLock { if status == 0 { status = 2 } }
    }
}

/// Runs a one-shot verb: the connection, an in-process server, the verb's calls, the exit
/// status from the error table.
enum OneShot {
    static func run(connection options: ConnectionOptions, output: OutputOptions, maxTransfers: Int = 4,
                    _ body: (OneShotRun) async -> Void) async throws {
        StandardStreams.logToStandardError(level: output.logLevel)
        let vault: SessionVault
        do {
            vault = try await VaultSetup.prepare(options.vault, interactive: true)
        } catch {
            FileHandle.standardError.write(Data("fichier: \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        }
        let connection: Connection
        do {
            connection = try await Connection.open(options, vault: vault, logger: Logger(label: "fichier.api"))
        } catch {
            FileHandle.standardError.write(Data("fichier: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var configuration = ServerConfiguration()
        configuration.maxTransfers = maxTransfers
        configuration.handleSignals = true
        let progress = ProgressBar()
        let session: OneShotSession
        do {
            session = try OneShotSession(methods: connection.methods(), configuration: configuration,
                                         logger: Logger(label: "fichier.rpc")) { method, params, label in
                if method == "event/progress" { progress.update(params, label: label) }
            }
        } catch {
            await connection.close()
            FileHandle.standardError.write(Data("fichier: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let run = OneShotRun(session: session, json: output.json, progress: progress)
        await body(run)
        progress.clear()
        await session.close()
        await connection.close()
        let status = run.exitStatus
        if status != 0 { throw ExitCode(status) }
    }
}

/// A command-line argument naming a remote file or folder: a URL (`https://…`) or a path.
enum RemoteArgument {
    static func isURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("https://") || lowered.hasPrefix("http://")
    }

    /// `{"path": …}` or `{"url": …}`, under `pathKey` for paths.
    static func params(_ text: String, pathKey: String = "path") -> [String: JSONValue] {
        isURL(text) ? ["url": .string(text)] : [pathKey: .string(text)]
    }
}

extension OneShotRun {
    /// Runs `body` for every item at once (the server pipelines and orders them).
    func each<T: Sendable>(_ items: [T], _ body: @escaping @Sendable (T) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            for item in items {
                group.addTask { await body(item) }
            }
        }
    }
}
