import ArgumentParser
import FichierCrypto

/// `fichier vault profiles [list|add|set]`.
struct VaultProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List, add or configure profiles.",
        subcommands: [VaultProfilesListCommand.self, VaultProfilesAddCommand.self, VaultProfilesSetCommand.self],
        defaultSubcommand: VaultProfilesListCommand.self)
}

struct VaultProfilesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the profiles (no secrets).")

    @OptionGroup var options: VaultOptions

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault profiles") {
            let contents = try options.openVault().contents
            var out = ""
            for p in contents.profiles {
                out += "\(p.name)\(p.name == contents.defaultProfile ? " (default)" : "")\n"
                out += "  recipient: \(p.recipient.encoded)\n"
                out += "  api key: \(p.apiKey == nil ? "not set" : "set")\n"
                out += "  api url: \(p.apiURL ?? "default")\n"
                out += "  encrypt uploads: \(p.encryptUploads ? "on" : "off"), encrypt names: \(p.encryptNames ? "on" : "off")\n"
                for r in p.extraRecipients { out += "  extra recipient: \(r)\n" }
            }
            Terminal.out(out)
        }
    }
}

struct VaultProfilesAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a profile with a new identity and name key.")

    @OptionGroup var options: VaultOptions

    @Argument(help: "Name of the new profile.")
    var name: String

    @Option(help: "API URL for this profile (default: the real 1fichier API).")
    var apiURL: String?

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault profiles add") {
            let vault = try options.openVault()
            try vault.update { contents in
                try contents.addProfile(named: name)
                if let apiURL { try contents.updateProfile(named: name) { $0.apiURL = apiURL } }
            }
            Terminal.out("profile \(name): age recipient \(try vault.profile(named: name).recipient.encoded)\n")
        }
    }
}

struct VaultProfilesSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Change a profile's settings.")

    @OptionGroup var options: VaultOptions

    @Argument(help: "Profile to change.")
    var name: String

    @Option(help: "API URL for this profile.")
    var apiURL: String?

    @Flag(help: "Go back to the default API URL.")
    var clearApiURL = false

    @Option(help: "Encrypt uploads by default (on/off).")
    var encryptUploads: Switch?

    @Option(help: "Encrypt remote names by default (on/off).")
    var encryptNames: Switch?

    @Flag(name: .customLong("default"), help: "Make this the default profile.")
    var makeDefault = false

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault profiles set") {
            let vault = try options.openVault()
            try vault.update { contents in
                try contents.updateProfile(named: name) { profile in
                    if let apiURL { profile.apiURL = apiURL }
                    if clearApiURL { profile.apiURL = nil }
                    if let encryptUploads { profile.encryptUploads = encryptUploads.value }
                    if let encryptNames { profile.encryptNames = encryptNames.value }
                }
                if makeDefault { contents.defaultProfile = name }
            }
            Terminal.note("profile \(name) updated")
        }
    }
}
