import ArgumentParser
import Foundation

/// The special remote's configuration: what `git annex initremote … folder=… apiurl=…`
/// recorded in the git-annex branch, plus how this process reaches 1fichier. The API key is
/// never part of it: it comes from `--api-key-file`, `FICHIER_API_KEY_FILE` or `FICHIER_API_KEY`
/// (`APIKeyLookup`), so it never lands in the repository.
struct AnnexSettings: Sendable, Equatable {
    /// The remote folder that holds the keys (or the exported tree), e.g. `/git-annex/photos`.
    var folder: String
    var layout: AnnexLayout
    /// `apiurl=` of the remote's configuration; nil for `$FICHIER_API_URL` or 1fichier.com.
    var apiURL: String?

    /// The configuration settings git-annex is told about (`LISTCONFIGS`).
    static let configs: [(name: String, description: String)] = [
        ("folder", "1fichier folder for this remote's content (default /git-annex/NAME)"),
        ("apiurl", "1fichier API base URL (default $FICHIER_API_URL or https://api.1fichier.com/v1)"),
        ("layout", "hash (default: 256 sub-folders) or flat (one folder) for keys"),
    ]

    /// Reads and checks the settings. `initializing` fills in the defaults of a new remote.
    static func read(from conversation: AnnexConversation, initializing: Bool) async throws(AnnexFailure) -> Result<AnnexSettings, AnnexSetupError> {
        var folder = try await conversation.config("folder")
        if folder == nil && initializing {
            let name = try await conversation.config("name")
            folder = AnnexPath.join("/git-annex", name ?? "")
        }
        guard let folder else {
            return .failure(AnnexSetupError("the remote has no folder= setting; run git annex enableremote NAME folder=/PATH"))
        }
        guard let normalized = normalizedFolder(folder) else {
            return .failure(AnnexSetupError("folder=\(folder) is not an absolute 1fichier path such as /git-annex/photos"))
        }
        let layoutText = try await conversation.config("layout") ?? AnnexLayout.hash.rawValue
        guard let layout = AnnexLayout(rawValue: layoutText.lowercased()) else {
            return .failure(AnnexSetupError("layout=\(layoutText) is unknown (use hash or flat)"))
        }
        var apiURL = try await conversation.config("apiurl")
        if let url = apiURL, url.lowercased() == "default" { apiURL = nil }
        return .success(AnnexSettings(folder: normalized, layout: layout, apiURL: apiURL))
    }

    /// `/a//b/` → `/a/b`; nil for relative paths and `.`/`..` components.
    static func normalizedFolder(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("/") else { return nil }
        let components = trimmed.split(separator: "/")
        guard !components.contains(where: { $0 == "." || $0 == ".." }) else { return nil }
        return "/" + components.joined(separator: "/")
    }
}

/// A configuration or credential problem, reported as `INITREMOTE-FAILURE` / `PREPARE-FAILURE`.
struct AnnexSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// How this process reaches 1fichier, from its command line and environment (git-annex starts
/// `git-annex-remote-fichier` without arguments, so the environment is the usual way). The
/// environment (`FICHIER_API_KEY_FILE`, `FICHIER_API_KEY`, `FICHIER_PACE_MS`,
/// `FICHIER_LISTING_WINDOW_MS`, `FICHIER_API_URL`) is read by `Connection`, as for every
/// other command.
struct AnnexConnectionSource: Sendable {
    var apiURL: String?
    var apiKeyFile: String?
    var paceMs: Int?
    var listingWindowMs: Int?
    var sandboxDirectory: String?
    var sandbox: Bool

    /// The arguments `ConnectionOptions` is parsed from, with the remote's `apiurl=` when the
    /// command line gave none.
    func options(for settings: AnnexSettings) throws -> ConnectionOptions {
        var arguments: [String] = []
        if let sandboxDirectory {
            arguments += ["--sandbox-dir", sandboxDirectory]
        } else if sandbox {
            arguments.append("--sandbox")
        } else if let url = apiURL ?? settings.apiURL {
            arguments += ["--api-url", url]
        }
        if let apiKeyFile { arguments += ["--api-key-file", apiKeyFile] }
        if let paceMs { arguments += ["--pace", String(paceMs)] }
        if let listingWindowMs { arguments += ["--listing-window", String(listingWindowMs)] }
        return try ConnectionOptions.parse(arguments)
    }

    /// Whether an API key is configured (the sandbox makes its own); `APIKeyLookup`'s order.
    var hasKey: Bool {
        if sandbox || sandboxDirectory != nil { return true }
        return APIKeyLookup.origin(apiKeyFile: apiKeyFile, environment: ProcessInfo.processInfo.environment) != nil
    }
}
