import FichierAPI
import FichierRPC
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// git-annex's external special remote protocol (VERSION 2, with the ASYNC and INFO
/// extensions and the export interface) on top of fichier's methods. One instance per process;
/// each conversation (the unnumbered one, or one per ASYNC job) runs `serve` in its own task.
final class AnnexRemote: Sendable {
    let channel: AnnexChannel
    let source: AnnexConnectionSource
    /// Whether to accept the ASYNC extension when git-annex offers it.
    let allowAsync: Bool
    private let state = Locked(SharedState())
    private let setup = AnnexSetup()

    private struct SharedState {
        var info = false
        var async = false
        var settings: AnnexSettings?
    }

    /// What a conversation handler needs once the remote is prepared.
    struct Prepared: Sendable {
        let settings: AnnexSettings
        let backend: AnnexBackend
    }

    init(channel: AnnexChannel, source: AnnexConnectionSource, allowAsync: Bool) {
        self.channel = channel
        self.source = source
        self.allowAsync = allowAsync
    }

    /// Whether git-annex accepted the INFO extension.
    var infoEnabled: Bool { state.withLock { $0.info } }

    /// Handles the requests of one conversation until git-annex closes it.
    func serve(_ conversation: AnnexConversation) async {
        var exportName: String?
        while let line = await conversation.next() {
            do throws(AnnexFailure) {
                try await handle(AnnexMessage(line), conversation: conversation, exportName: &exportName)
            } catch {
                switch error {
                case .endOfInput: return
                case .fatal(let message): await fail(message)
                }
            }
        }
    }

    /// Sends `ERROR` and ends the process (the protocol's answer to a broken conversation).
    func fail(_ message: String) async -> Never {
        FileHandle.standardError.write(Data("git-annex-remote-fichier: \(AnnexMessage.oneLine(message))\n".utf8))
        channel.send(AnnexMessage.line("ERROR", message), job: nil)
        await shutdown()
        exit(1)
    }

    /// Stops the dispatcher: running transfers are cancelled and clean up their partial files.
    func shutdown() async {
        await setup.close()
    }

    private func handle(_ message: AnnexMessage, conversation: AnnexConversation,
                        exportName: inout String?) async throws(AnnexFailure) {
        switch message.command {
        case "EXTENSIONS":
            conversation.send(negotiate(extensions: message.rest))
        case "LISTCONFIGS":
            for config in AnnexSettings.configs {
                conversation.send(AnnexMessage.line("CONFIG", config.name, config.description))
            }
            conversation.send("CONFIGEND")
        case "INITREMOTE":
            conversation.send(try await initRemote(conversation))
        case "PREPARE":
            switch try await prepare(conversation) {
            case .success: conversation.send("PREPARE-SUCCESS")
            case .failure(let error): conversation.send(AnnexMessage.line("PREPARE-FAILURE", error.description))
            }
        case "GETCOST":
            conversation.send("COST 200")
        case "GETAVAILABILITY":
            conversation.send("AVAILABILITY GLOBAL")
        case "GETINFO":
            try await info(conversation)
        case "EXPORTSUPPORTED":
            conversation.send("EXPORTSUPPORTED-SUCCESS")
        case "EXPORT":
            exportName = message.rest
        case "TRANSFER", "CHECKPRESENT", "REMOVE", "WHEREIS",
             "TRANSFEREXPORT", "CHECKPRESENTEXPORT", "REMOVEEXPORT", "REMOVEEXPORTDIRECTORY", "RENAMEEXPORT":
            try await handleContent(message, conversation: conversation, exportName: exportName)
        case "ERROR":
            await fail("git-annex sent ERROR: \(message.rest)")
        default:
            conversation.send("UNSUPPORTED-REQUEST")
        }
    }

    /// The reply to `EXTENSIONS`: the ones offered that this remote uses.
    private func negotiate(extensions offered: String) -> String {
        let offer = Set(offered.split(separator: " ").map(String.init))
        var accepted: [String] = []
        if offer.contains("INFO") { accepted.append("INFO") }
        if allowAsync && offer.contains("ASYNC") { accepted.append("ASYNC") }
        state.withLock {
            $0.info = accepted.contains("INFO")
            $0.async = accepted.contains("ASYNC")
        }
        return (["EXTENSIONS"] + accepted).joined(separator: " ")
    }

    // MARK: - Setup

    private func initRemote(_ conversation: AnnexConversation) async throws(AnnexFailure) -> String {
        let settings: AnnexSettings
        switch try await AnnexSettings.read(from: conversation, initializing: true) {
        case .success(let read): settings = read
        case .failure(let error): return AnnexMessage.line("INITREMOTE-FAILURE", error.description)
        }
        conversation.send(AnnexMessage.line("SETCONFIG", "folder", settings.folder))
        conversation.send(AnnexMessage.line("SETCONFIG", "layout", settings.layout.rawValue))
        let backend: AnnexBackend
        switch await open(settings) {
        case .success(let opened): backend = opened
        case .failure(let error): return AnnexMessage.line("INITREMOTE-FAILURE", error.description)
        }
        // Makes the folder (idempotent) and proves that the key works.
        switch await backend.call("fs/mkdir", ["path": .string(settings.folder), "parents": true]) {
        case .result:
            return "INITREMOTE-SUCCESS"
        case .failure(let error, _):
            return AnnexMessage.line("INITREMOTE-FAILURE", "cannot make \(settings.folder) on 1fichier: \(Self.describe(error))")
        }
    }

    private func prepare(_ conversation: AnnexConversation) async throws(AnnexFailure) -> Result<Prepared, AnnexSetupError> {
        let settings: AnnexSettings
        switch try await AnnexSettings.read(from: conversation, initializing: false) {
        case .success(let read): settings = read
        case .failure(let error): return .failure(error)
        }
        switch await open(settings) {
        case .success(let backend):
            state.withLock { $0.settings = settings }
            return .success(Prepared(settings: settings, backend: backend))
        case .failure(let error):
            return .failure(error)
        }
    }

    private func open(_ settings: AnnexSettings) async -> Result<AnnexBackend, AnnexSetupError> {
        guard source.hasKey else {
            return .failure(AnnexSetupError(
                "no 1fichier API key: set FICHIER_API_KEY or FICHIER_API_KEY_FILE in the environment of git-annex "
                + "(the key is never stored in the repository)"))
        }
        return await setup.backend(settings: settings, source: source)
    }

    /// The prepared remote; prepares it first if git-annex did not (it always should).
    func prepared(_ conversation: AnnexConversation) async throws(AnnexFailure) -> Result<Prepared, AnnexSetupError> {
        if let settings = state.withLock({ $0.settings }) {
            return await open(settings).map { Prepared(settings: settings, backend: $0) }
        }
        return try await prepare(conversation)
    }

    private func info(_ conversation: AnnexConversation) async throws(AnnexFailure) {
        let settings = try await AnnexSettings.read(from: conversation, initializing: false)
        var fields: [(String, String)] = []
        switch settings {
        case .success(let settings):
            fields.append(("folder", settings.folder))
            fields.append(("layout", settings.layout.rawValue))
            fields.append(("api url", source.sandbox || source.sandboxDirectory != nil ? "sandbox"
                           : source.apiURL ?? settings.apiURL ?? ProcessInfo.processInfo.environment["FICHIER_API_URL"]
                           ?? "https://api.1fichier.com/v1"))
        case .failure(let error):
            fields.append(("problem", error.description))
        }
        for (name, value) in fields {
            conversation.send(AnnexMessage.line("INFOFIELD", name))
            conversation.send(AnnexMessage.line("INFOVALUE", value))
        }
        conversation.send("INFOEND")
    }

    /// An error of a method as one line for git-annex: the message, 1fichier's own words when
    /// they add something, and whether trying again may help.
    static func describe(_ error: RPCError) -> String {
        var text = error.message
        if let provider = error.data.provider?.message, !text.contains(provider) {
            text += " (1fichier: \(provider))"
        }
        if error.data.retryable {
            text += error.data.retryAfterMs.map { "; retry in \(max(1, $0 / 1000)) s" } ?? "; may work if retried"
        }
        return AnnexMessage.oneLine(text)
    }
}
