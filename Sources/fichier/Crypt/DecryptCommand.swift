import ArgumentParser
import FichierCrypto
#if canImport(Glibc)
import Glibc
#endif

/// `fichier decrypt`: age v1 decryption with age's flags; without -i/-p it uses the vault's
/// identities. With -o the plaintext is staged in OUTPUT.partial and renamed only after the
/// final chunk authenticated; on any failure no output file remains.
struct DecryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt an age file (binary or armored).",
        discussion: """
            Without -i or -p the vault's identities are used (the selected profile first). On stdout, \
            plaintext is released chunk by chunk as it authenticates, and a truncated or altered file \
            ends with an error after the authentic prefix; prefer -o, which never leaves partial output.
            """)

    @Option(name: [.short, .customLong("identity")], help: ArgumentHelp("Identity file (repeatable).", valueName: "path"))
    var identityFiles: [String] = []

    @Flag(name: [.customShort("p"), .customLong("passphrase")], help: "Decrypt a passphrase-encrypted file (asked on the terminal).")
    var usePassphrase = false

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file (staged as FILE.partial, renamed when authenticated).", valueName: "path"))
    var output: String?

    @Argument(help: "Input file (default: stdin).")
    var input: String?

    @OptionGroup var vault: VaultOptions

    func run() throws {
        VaultOptions.harden()
        try CLIFailure.run(context: "decrypt") {
            let identities = try resolveIdentities()
            let inputFD = try CryptIO.openInput(input)
            defer { if inputFD != 0 { close(inputFD) } }
            let sink = try StagedOutput(path: output)
            let writer = AgeDecryptingWriter(identities: identities) { try sink.write($0) }
            do {
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: CryptIO.bufferSize, alignment: 16)
                defer { buffer.deallocate() }
                while true {
                    let n = try CryptIO.read(inputFD, into: buffer)
                    if n == 0 { break }
                    try writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                }
                try writer.finish()
                try sink.commit()
            } catch {
                sink.abandon()
                if sink.isFile {
                    throw CLIFailure.report(error, context: "decryption failed, no output written")
                }
                throw CLIFailure.report(error, context: "decryption failed after \(writer.plaintextBytesReleased) authenticated bytes")
            }
        }
    }

    private func resolveIdentities() throws -> [any AgeIdentity] {
        var result = try CryptIO.identities(fromFiles: identityFiles)
        if usePassphrase {
            result.append(ScryptIdentity(passphrase: try SecretInput.prompt("Enter passphrase: ")))
        }
        if result.isEmpty {
            let opened = try vault.openVault()
            let selected = try vault.selectedProfile(of: opened)
            result.append(selected.identity)
            for profile in opened.contents.profiles where profile.name != selected.name {
                result.append(profile.identity)
            }
        }
        return result
    }
}
