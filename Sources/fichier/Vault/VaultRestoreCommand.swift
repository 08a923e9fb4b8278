import ArgumentParser
import FichierCrypto

/// `fichier vault restore`: puts `vault.bak` back in place.
struct VaultRestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the vault with its backup (vault.bak), after checking the backup's integrity.")

    @OptionGroup var options: VaultOptions

    @Flag(help: "Restore even though the current vault file is intact.")
    var force = false

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault restore") {
            let path = options.path
            if !force, let summary = try? Vault.summary(at: path), !summary.readFromBackup {
                throw CLIError("\(path) is intact (generation \(summary.generation)); use --force to replace it with the backup", kind: "conflict")
            }
            try Vault.restoreBackup(at: path)
            let summary = try Vault.summary(at: path)
            Terminal.note("restored \(path) from the backup (generation \(summary.generation))")
        }
    }
}
