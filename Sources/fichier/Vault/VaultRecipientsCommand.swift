import ArgumentParser
import FichierCrypto

/// `fichier vault recipients [list|add|remove]`: extra recipients every upload is encrypted to.
struct VaultRecipientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipients",
        abstract: "Manage extra age recipients of a profile (recovery keys, sharing).",
        subcommands: [VaultRecipientsListCommand.self, VaultRecipientsAddCommand.self, VaultRecipientsRemoveCommand.self],
        defaultSubcommand: VaultRecipientsListCommand.self)
}

struct VaultRecipientsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the profile's recipients.")

    @OptionGroup var options: VaultOptions

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault recipients") {
            let profile = try options.selectedProfile(of: try options.openVault())
            var out = "\(profile.recipient.encoded)  (profile identity)\n"
            for recipient in profile.extraRecipients { out += "\(recipient)\n" }
            Terminal.out(out)
        }
    }
}

struct VaultRecipientsAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an age1… recipient.")

    @OptionGroup var options: VaultOptions

    @Argument(help: "The recipient (age1… or age1pq1…).")
    var recipient: String

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault recipients add") {
            let parsed = try AgeKeys.recipient(recipient)
            let text = (parsed as? X25519Recipient)?.encoded ?? (parsed as? HybridRecipient)?.encoded ?? recipient
            let vault = try options.openVault()
            let name = try options.selectedProfile(of: vault).name
            try vault.update { contents in
                try contents.updateProfile(named: name) { profile in
                    guard !profile.extraRecipients.contains(text) && text != profile.recipient.encoded else {
                        throw CLIError("\(text) is already a recipient of profile \(name)", kind: "conflict")
                    }
                    profile.extraRecipients.append(text)
                }
            }
            Terminal.note("uploads of profile \(name) will also be encrypted to \(text)")
        }
    }
}

struct VaultRecipientsRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an extra recipient.")

    @OptionGroup var options: VaultOptions

    @Argument(help: "The recipient to remove.")
    var recipient: String

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault recipients remove") {
            let vault = try options.openVault()
            let name = try options.selectedProfile(of: vault).name
            try vault.update { contents in
                try contents.updateProfile(named: name) { profile in
                    guard let index = profile.extraRecipients.firstIndex(of: recipient) else {
                        throw CLIError("\(recipient) is not an extra recipient of profile \(name)")
                    }
                    profile.extraRecipients.remove(at: index)
                }
            }
            Terminal.note("recipient removed from profile \(name)")
        }
    }
}
