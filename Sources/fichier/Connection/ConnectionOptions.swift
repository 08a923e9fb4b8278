import ArgumentParser

/// How to reach 1fichier (or the sandbox): shared by `serve` and every one-shot verb.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("api-url"),
            help: "1fichier API base URL (default: $FICHIER_API_URL or https://api.1fichier.com/v1). Plain http only for loopback hosts.")
    var apiURL: String?

    @Option(name: .customLong("api-key-file"),
            help: ArgumentHelp("A file holding the API key (default: $FICHIER_API_KEY). The key never goes on the command line.",
                               valueName: "file"))
    var apiKeyFile: String?

    @Option(name: .customLong("pace"),
            help: ArgumentHelp("Minimum milliseconds between two API calls of the account (default: $FICHIER_PACE_MS or 400).",
                               valueName: "ms"))
    var paceMs: Int?

    @Flag(name: .customLong("sandbox"),
          help: ArgumentHelp("Use a built-in 1fichier emulator on 127.0.0.1 with a generated key: --sandbox [DIR]. DIR keeps its data between runs; without it a temporary directory is removed at exit.",
                             valueName: "DIR"))
    var sandbox = false

    @Option(name: .customLong("sandbox-dir"), help: .hidden)
    var sandboxDirectory: String?

    /// The vault: its file, the profile, and how to unlock it (the API key comes from it when
    /// neither FICHIER_API_KEY nor --api-key-file gives one).
    @OptionGroup(title: "Vault") var vault: VaultOptions

    /// Sandbox mode, asked either way.
    var usesSandbox: Bool { sandbox || sandboxDirectory != nil }

    func validate() throws {
        if let paceMs, !(0...600_000).contains(paceMs) {
            throw ValidationError("--pace must be between 0 and 600000 milliseconds")
        }
        if usesSandbox && apiURL != nil {
            throw ValidationError("--sandbox and --api-url cannot be used together")
        }
    }
}

/// `--sandbox [DIR]`: ArgumentParser has no option with an optional value, so the arguments
/// are rewritten first: `--sandbox DIR` and `--sandbox=DIR` become `--sandbox-dir DIR`
/// (a following argument that does not start with `-` is the directory); a bare `--sandbox`
/// stays a flag.
enum SandboxArgument {
    static func rewrite(_ arguments: [String]) -> [String] {
        var output: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                output += arguments[index...]
                break
            }
            if argument.hasPrefix("--sandbox=") {
                output += ["--sandbox-dir", String(argument.dropFirst("--sandbox=".count))]
            } else if argument == "--sandbox", index + 1 < arguments.count, !arguments[index + 1].hasPrefix("-") {
                output += ["--sandbox-dir", arguments[index + 1]]
                index += 1
            } else {
                output.append(argument)
            }
            index += 1
        }
        return output
    }
}
