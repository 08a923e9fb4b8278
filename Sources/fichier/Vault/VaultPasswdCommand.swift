import ArgumentParser
import FichierCrypto

/// `fichier vault passwd`: rewraps the master key under a new passphrase.
struct VaultPasswdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Change the vault passphrase (the backup keeps opening with the old one).")

    @OptionGroup var options: VaultOptions

    @Option(help: "Argon2id profile for the new slot: moderate (default) or small.")
    var kdf: KDFProfile = .moderate

    @Option(help: ArgumentHelp("Read the new passphrase from this file descriptor.", valueName: "n"))
    var newPassphraseFd: Int32?

    @Option(help: ArgumentHelp("Read the new passphrase from this file.", valueName: "path"))
    var newPassphraseFile: String?

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault passwd") {
            let vault = try options.openVault()
            let newPassphrase: SecureBytes
            if let newPassphraseFd {
                newPassphrase = try SecretInput.read(fileDescriptor: newPassphraseFd)
            } else if let newPassphraseFile {
                newPassphrase = try SecretInput.read(path: newPassphraseFile)
            } else {
                newPassphrase = try VaultOptions.askTwice(what: "new vault passphrase")
            }
            try vault.changePassphrase(to: newPassphrase, kdf: kdf.parameters)
            Terminal.note("passphrase changed. Note: \(vault.path).bak and any other copy of the old file still open with the old passphrase; delete them if the old one is compromised")
        }
    }
}
