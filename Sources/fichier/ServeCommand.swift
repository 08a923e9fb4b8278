import ArgumentParser
import Foundation
import FichierRPC
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `fichier serve`: the JSON-RPC 2.0 co-process on stdin/stdout (protocol/PROTOCOL.md).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Speak JSON-RPC 2.0 on stdin/stdout, one message per line (see protocol/PROTOCOL.md).",
        discussion: """
            stdout carries protocol lines only; logs go to stderr. The server exits 0 at the end of \
            its input (after answering what is in flight) or after the first SIGTERM/SIGINT; a \
            second signal exits at once.

            The API key comes from --api-key-file, $FICHIER_API_KEY_FILE or $FICHIER_API_KEY (first \
            found), never from the command line, or else from the vault (protocol/VAULT.md). An existing vault is unlocked at startup when \
            --passphrase-fd, --passphrase-file, --key-file, $FICHIER_PASSPHRASE_FILE, $FICHIER_KEYFILE or \
            $FICHIER_PASSPHRASE gives a secret; otherwise the server starts with the vault locked and a \
            client unlocks it with vault/unlock. --auto-lock SECONDS locks it again after that long unused.

            With --sandbox [DIR] the server talks to a built-in emulator instead of 1fichier.com, so \
            every method works offline (no pacing, no listing window; DIR serves one process at a \
            time, a second one exits 2): try `fichier serve --sandbox` and type \
            {"jsonrpc":"2.0","id":1,"method":"fs/list","params":{"path":"/"}}
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .customLong("max-transfers"), help: "Transfers running at once; more queue.")
    var maxTransfers = 4

    @Option(name: .customLong("max-in-flight"), help: "Requests in flight at once; more get error 1004 busy.")
    var maxInFlight = 64

    @Option(name: .customLong("max-line-bytes"), help: "Longest accepted input line in bytes.")
    var maxLineBytes = 1 << 20

    @Flag(name: .customLong("debug-methods"), help: "Also answer the debug/* methods (for tests and client authors).")
    var debugMethods = false

    @Flag(name: .customLong("strict"), help: "Require initialize before any other request (error -32002).")
    var strict = false

    @Option(name: .customLong("log-level"), help: "stderr log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    @Option(name: .customLong("auto-lock"), help: ArgumentHelp("Lock the vault after this many seconds without use (0: never).", valueName: "seconds"))
    var autoLockSeconds = 0

    @Option(name: .customLong("parent-pid"), help: ArgumentHelp("End as on end of input when this process exits (checked every 3 s); initialize {processId} does the same.", valueName: "pid"))
    var parentPID: Int32?

    @Option(name: .customLong("parent-poll-ms"), help: .hidden)
    var parentPollMs = 3000

    func validate() throws {
        guard (1...1024).contains(maxTransfers) else {
            throw ValidationError("--max-transfers must be between 1 and 1024")
        }
        guard (1...65536).contains(maxInFlight) else {
            throw ValidationError("--max-in-flight must be between 1 and 65536")
        }
        guard (1024...(256 << 20)).contains(maxLineBytes) else {
            throw ValidationError("--max-line-bytes must be between 1024 and 268435456")
        }
        guard (0...(366 * 86_400)).contains(autoLockSeconds) else {
            throw ValidationError("--auto-lock must be between 0 and 31622400 seconds")
        }
        if let parentPID, !ParentWatchdog.exists(parentPID) {
            throw ValidationError("--parent-pid: no process \(parentPID) is running")
        }
        guard (10...600_000).contains(parentPollMs) else {
            throw ValidationError("--parent-poll-ms must be between 10 and 600000")
        }
    }

    func run() async throws {
        // Before anything can write: fd 1 becomes stderr, the protocol gets a private copy.
        let output = try StandardStreams.claimForProtocol(logLevel: logLevel)
        let logger = Logger(label: "fichier.serve")
        let vault: SessionVault
        do {
            vault = try await VaultSetup.prepare(connection.vault, interactive: false,
                                                 autoLock: autoLockSeconds > 0 ? .seconds(autoLockSeconds) : nil)
        } catch {
            FileHandle.standardError.write(Data("fichier serve: \(error)\n".utf8))
            Glibc.exit(error.exitCode)
        }
        let opened: Connection
        do {
            opened = try await Connection.open(connection, vault: vault, logger: Logger(label: "fichier.api"))
        } catch {
            FileHandle.standardError.write(Data("fichier serve: \(error)\n".utf8))
            Glibc.exit(2)
        }
        if let sandbox = opened.sandbox {
            FileHandle.standardError.write(Data(
                "fichier serve: sandbox emulator at \(sandbox.baseURL), data in \(sandbox.dataDirectory)\n".utf8))
        }
        var configuration = ServerConfiguration()
        configuration.maxTransfers = maxTransfers
        configuration.maxInFlight = maxInFlight
        configuration.maxLineBytes = maxLineBytes
        configuration.debugMethods = debugMethods
        configuration.requireInitialize = strict
        configuration.handleSignals = true
        configuration.parentProcessID = parentPID
        configuration.parentPollInterval = .milliseconds(parentPollMs)
        let composed = ServeComposer.compose(connection: opened, into: &configuration)

        let server = RPCServer(input: STDIN_FILENO, output: output, configuration: configuration,
                               methods: composed, logger: logger)
        let status = await server.run()
        await opened.close()
        Glibc.exit(status)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Builds the methods `serve` (and the one-shot verbs) offer beyond the session methods,
/// and the capability flags `initialize` reports: every 1fichier method, registered by
/// `FichierMethods` against the connection's client, and the `vault/*` methods. `vault` is
/// true when those are offered; `encryption` when a vault exists (it holds the keys that
/// client-side encryption needs).
enum ServeComposer {
    static func compose(connection: Connection, into configuration: inout ServerConfiguration) -> MethodRegistry {
        configuration.vault = connection.vault != nil
        configuration.encryption = connection.vault?.exists == true
        return connection.methods()
    }
}
