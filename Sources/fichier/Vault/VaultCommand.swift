import ArgumentParser

/// `fichier vault …`: the encrypted store of API keys, age identities and name keys.
struct VaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Manage the encrypted vault (API keys, age identities, name keys).",
        discussion: """
            Unlock sources, first match wins: --passphrase-fd N, --passphrase-file F, --key-file F, \
            FICHIER_PASSPHRASE_FILE, FICHIER_KEYFILE, FICHIER_PASSPHRASE (least safe: visible to \
            same-user processes and inherited by children), then a terminal prompt. Secrets are never \
            taken from the command line. See protocol/VAULT.md.
            """,
        subcommands: [
            VaultInitCommand.self, VaultStatusCommand.self, VaultSetKeyCommand.self, VaultProfilesCommand.self,
            VaultPasswdCommand.self, VaultAddKeyFileCommand.self, VaultRemoveSlotCommand.self,
            VaultExportIdentityCommand.self, VaultRecipientsCommand.self, VaultRestoreCommand.self,
        ])
}
