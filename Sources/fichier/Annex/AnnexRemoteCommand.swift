import ArgumentParser
import FichierRPC
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `fichier annex-remote`: git-annex's external special remote `fichier`. git-annex starts
/// `git-annex-remote-fichier` (a link to `fichier`, or the wrapper script in
/// integrations/git-annex) and speaks its line protocol on stdin/stdout.
struct AnnexRemoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annex-remote",
        abstract: "Be git-annex's external special remote (git-annex-remote-fichier) on stdin/stdout.",
        discussion: """
            git annex initremote NAME type=external externaltype=fichier encryption=none \
            [folder=/git-annex/NAME] [apiurl=URL] [layout=hash|flat] [exporttree=yes]

            The API key comes from --api-key-file, $FICHIER_API_KEY_FILE or $FICHIER_API_KEY (in that \
            order), never from the remote's configuration (which git-annex keeps in the repository). \
            $FICHIER_PACE_MS and $FICHIER_LISTING_WINDOW_MS work as for every command. \
            Set FICHIER_ANNEX_ASYNC=0 to refuse git-annex's ASYNC extension (one request at a time \
            per process). See integrations/git-annex/README.md.
            """)

    @Option(name: .customLong("api-url"), help: "1fichier API base URL (overrides the remote's apiurl=).")
    var apiURL: String?

    @Option(name: .customLong("api-key-file"), help: ArgumentHelp("A file holding the API key (default: $FICHIER_API_KEY_FILE or $FICHIER_API_KEY).", valueName: "file"))
    var apiKeyFile: String?

    @Option(name: .customLong("pace"), help: ArgumentHelp("Minimum milliseconds between two API calls (default: $FICHIER_PACE_MS or 400).", valueName: "ms"))
    var paceMs: Int?

    @Option(name: .customLong("listing-window"), help: ArgumentHelp("Milliseconds before a folder is listed again (default: $FICHIER_LISTING_WINDOW_MS or 30000).", valueName: "ms"))
    var listingWindowMs: Int?

    @Option(name: .customLong("sandbox-dir"), help: .hidden)
    var sandboxDirectory: String?

    @Flag(name: .customLong("sandbox"), help: "Use the built-in emulator (with --sandbox DIR its data stays in DIR).")
    var sandbox = false

    @Option(name: .customLong("log-level"), help: "stderr log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    func validate() throws {
        if let paceMs, !ConnectionOptions.millisecondRange.contains(paceMs) {
            throw ValidationError("--pace must be between 0 and 600000 milliseconds")
        }
        if let listingWindowMs, !ConnectionOptions.millisecondRange.contains(listingWindowMs) {
            throw ValidationError("--listing-window must be between 0 and 600000 milliseconds")
        }
    }

    func run() async throws {
        // Only protocol lines may reach git-annex: descriptor 1 becomes stderr, and the
        // protocol gets a private copy of the real stdout.
        let output = try StandardStreams.claimForProtocol(logLevel: logLevel)
        let source = AnnexConnectionSource(apiURL: apiURL, apiKeyFile: apiKeyFile, paceMs: paceMs,
                                           listingWindowMs: listingWindowMs,
                                           sandboxDirectory: sandboxDirectory, sandbox: sandbox)
        let allowAsync = ProcessInfo.processInfo.environment["FICHIER_ANNEX_ASYNC"] != "0"
        let channel = AnnexChannel(input: STDIN_FILENO, output: output)
        let remote = AnnexRemote(channel: channel, source: source, allowAsync: allowAsync)

        // git-annex may stop us with SIGINT or SIGTERM: cancel what runs (partial downloads
        // are removed), then exit.
        let signals = SignalWaiter(signals: [SIGINT, SIGTERM])
        Task {
            let received = await signals.next()
            await remote.shutdown()
            Glibc.exit(128 + received)
        }

        channel.onNewJob = { job, messages in
            Task { await remote.serve(AnnexConversation(job: job, channel: channel, messages: messages)) }
        }
        let main = channel.mainMessages()
        channel.start()
        channel.send("VERSION 2", job: nil)
        await remote.serve(AnnexConversation(job: nil, channel: channel, messages: main))
        // End of input: git-annex is done with us.
        await remote.shutdown()
        Glibc.exit(0)
    }
}

/// Runs `annex-remote` when the binary is invoked as `git-annex-remote-fichier` (a link), the
/// way git-annex starts external special remotes.
enum AnnexHelperName {
    static let name = "git-annex-remote-fichier"

    static func rewrite(_ arguments: [String], invokedAs zeroth: String) -> [String] {
        let base = zeroth.split(separator: "/").last.map(String.init) ?? zeroth
        return base == name ? ["annex-remote"] + arguments : arguments
    }
}
