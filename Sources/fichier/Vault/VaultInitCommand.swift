import ArgumentParser
import FichierCrypto

/// `fichier vault init`: creates the vault with a passphrase slot and a first profile.
struct VaultInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new vault protected by a passphrase.")

    @OptionGroup var options: VaultOptions

    @Option(help: "Argon2id profile: moderate (256 MiB, 3 passes; default) or small (64 MiB, 2 passes).")
    var kdf: KDFProfile = .moderate

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "vault init") {
            let passphrase = try options.newPassphrase()
            let profileName = options.profile ?? "default"
            let vault = try Vault.create(at: options.path, passphrase: passphrase, kdf: kdf.parameters, profileName: profileName)
            let profile = try vault.profile()
            Terminal.out("""
                created vault \(vault.path)
                profile: \(profile.name)
                age recipient: \(profile.recipient.encoded)

                """)
            Terminal.note("next: store the API key with `fichier vault set-key`; keep the passphrase safe, it cannot be recovered")
        }
    }
}
