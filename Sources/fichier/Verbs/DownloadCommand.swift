import ArgumentParser
import FichierAPI

/// `fichier download PATH|URL LOCAL`: `transfer/download`.
struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download", abstract: "Download a file (transfer/download).",
        discussion: """
            The data goes to LOCAL.partial and is renamed to LOCAL once complete and flushed; a failed \
            or interrupted download leaves nothing behind, unless --resume: then LOCAL.partial stays, \
            and the next `fichier download --resume` fetches only the missing bytes. LOCAL may be a \
            directory.

            --decrypt auto (the default) decrypts age files with the vault's identities; only data \
            that authenticated is kept, and a file that fails the check leaves no output (exit 6). \
            always: the file must be encrypted; never: keep the bytes as stored.
            """)

    enum Decrypt: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    @Argument(help: "Remote file path, or a file URL.")
    var target: String

    @Argument(help: "Local file (or directory).")
    var local: String = "."

    @Flag(name: .customLong("overwrite"), help: "Replace an existing local file.")
    var overwrite = false

    @Flag(name: .customLong("verify"), help: "Hash what arrives (Whirlpool) and compare with 1fichier's checksum.")
    var verify = false

    @Option(name: .customLong("decrypt"), help: "auto, always or never: decrypt age files with the vault's identities.")
    var decrypt: Decrypt?

    @Flag(name: .customLong("resume"), help: "Continue from LOCAL.partial of an earlier --resume download (decrypted ones too, from their last whole chunk), and keep it if this one fails too.")
    var resume = false

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var params = RemoteArgument.params(target, pathKey: "remote")
        params["local"] = .string(LocalPath.absolute(local))
        if overwrite { params["overwrite"] = true }
        if verify { params["verify"] = true }
        if let decrypt { params["decrypt"] = .string(decrypt.rawValue) }
        if resume { params["resume"] = true }
        try await OneShot.run(connection: connection, output: output) { run in
            guard let result = await run.call("transfer/download", .object(params), label: target) else { return }
            run.emit(result) {
                let resumed = (result["resumedFrom"]?.intValue ?? 0) > 0
                    ? ", resumed after \(HumanFormat.size(result["resumedFrom"]))" : ""
                return "\(result["local"]?.stringValue ?? local) (\(HumanFormat.size(result["size"]))\(resumed))"
            }
        }
    }
}
