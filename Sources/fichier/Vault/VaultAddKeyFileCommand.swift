import ArgumentParser
import FichierCrypto

/// `fichier vault add-keyfile PATH`: a random key in a 0600 file, added as a key slot.
struct VaultAddKeyFileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-keyfile",
        abstract: "Create a key file (mode 0600) that unlocks the vault without a passphrase.")

    @OptionGroup var options: VaultOptions

    @Argument(help: "Where to write the key file (must not exist).")
    var path: String

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault add-keyfile") {
            let vault = try options.openVault()
            let slot = try vault.addKeyFile(at: path)
            Terminal.note("key file written to \(path) (slot \(slot)); unlock with --key-file \(path) or FICHIER_KEYFILE=\(path). Anyone who can read it can open the vault.")
        }
    }
}
