import ArgumentParser
import FichierCrypto
#if canImport(Glibc)
import Glibc
#endif

/// `fichier encrypt`: age v1 encryption with age's flags; without -r/-i/-p it encrypts to the
/// vault profile's recipients.
struct EncryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt a file to age recipients (compatible with the age tool).",
        discussion: "Without -r, -i or -p the vault profile's recipient and extra recipients are used.")

    @Option(name: [.short, .customLong("recipient")], help: ArgumentHelp("Encrypt to this age1… recipient (repeatable).", valueName: "recipient"))
    var recipients: [String] = []

    @Option(name: [.short, .customLong("identity")], help: ArgumentHelp("Encrypt to the recipients of the identities in this file (repeatable).", valueName: "path"))
    var identityFiles: [String] = []

    @Flag(name: [.customShort("p"), .customLong("passphrase")], help: "Encrypt with a passphrase (scrypt), asked on the terminal.")
    var usePassphrase = false

    @Flag(name: [.short, .long], help: "Write ASCII-armored (PEM) output.")
    var armor = false

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file (staged as FILE.partial, renamed when complete).", valueName: "path"))
    var output: String?

    @Argument(help: "Input file (default: stdin).")
    var input: String?

    @OptionGroup var vault: VaultOptions

    func validate() throws {
        if usePassphrase && (!recipients.isEmpty || !identityFiles.isEmpty) {
            throw ValidationError("-p cannot be combined with -r or -i (a passphrase recipient must be alone)")
        }
    }

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "encrypt") {
            if output == nil && !armor && isatty(1) != 0 {
                throw CLIError("refusing to write binary output to a terminal; use -a or -o")
            }
            let targets = try resolveRecipients()
            let inputFD = try CryptIO.openInput(input)
            defer { if inputFD != 0 { close(inputFD) } }
            let sink = try StagedOutput(path: output)
            do {
                let reader = try AgeEncryptingReader(recipients: targets, armor: armor,
                                                     plaintextSize: CryptIO.regularFileSize(inputFD)) { buffer in
                    try CryptIO.read(inputFD, into: buffer)
                }
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: AgeEncryptingReader.preferredReadSize,
                                                                    alignment: 16)
                defer { buffer.deallocate() }
                while true {
                    let n = try reader.read(into: buffer)
                    if n == 0 { break }
                    try sink.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                }
                try sink.commit()
            } catch {
                sink.abandon()
                throw error
            }
        }
    }

    private func resolveRecipients() throws -> [any AgeRecipient] {
        if usePassphrase {
            let passphrase = try VaultOptions.askTwice(what: "passphrase")
            return [try ScryptRecipient(passphrase: passphrase)]
        }
        var result: [any AgeRecipient] = []
        for text in recipients { result.append(try AgeKeys.recipient(text)) }
        for identity in try CryptIO.identities(fromFiles: identityFiles) {
            if let x25519 = identity as? X25519Identity { result.append(x25519.recipient) }
            else if let hybrid = identity as? HybridIdentity { result.append(hybrid.recipient) }
        }
        if result.isEmpty {
            let opened = try vault.openVault()
            result = try vault.selectedProfile(of: opened).uploadRecipients()
        }
        return result
    }
}
