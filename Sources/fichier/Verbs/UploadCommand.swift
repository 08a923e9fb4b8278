import ArgumentParser
import FichierAPI

/// `fichier upload LOCAL… REMOTE`: `transfer/upload`, several files at once (at most
/// `--max-transfers` running, the rest queued).
struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload", abstract: "Upload local files (transfer/upload).",
        discussion: """
            REMOTE ending in / is a folder (each file keeps its name); otherwise it is the file's full \
            path (one file only). Missing folders are made.

            --encrypt encrypts the contents (age, to the vault profile's recipients) on the way; the \
            file is stored as NAME.age, or under its encrypted name with --encrypt-names. Without \
            either flag the vault profile's defaults apply; --no-encrypt uploads in the clear.
            """)

    enum IfExists: String, ExpressibleByArgument, CaseIterable {
        case duplicate, skip, replace, error
    }

    @Argument(help: "Local files, then the remote folder (ending in /) or file path.")
    var items: [String]

    @Option(name: .customLong("if-exists"), help: "When the name is taken: duplicate (1fichier's way), skip, replace or error.")
    var ifExists: IfExists = .duplicate

    @Flag(name: .customLong("verify"), help: "Hash what is sent (Whirlpool) and compare with 1fichier's.")
    var verify = false

    @Flag(inversion: .prefixedNo, help: "Encrypt the contents with the vault's keys (default: the vault profile's setting).")
    var encrypt: Bool?

    @Flag(name: .customLong("encrypt-names"), inversion: .prefixedNo,
          help: "Store the file under its encrypted name (implies --encrypt; default: the profile's setting).")
    var encryptNames: Bool?

    @Option(name: .customLong("max-transfers"), help: "Uploads running at once.")
    var maxTransfers = 4

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard items.count >= 2 else { throw ValidationError("give at least one local file and the remote destination") }
        if items.count > 2 && !items[items.count - 1].hasSuffix("/") {
            throw ValidationError("with several files the destination must be a folder ending in /")
        }
        guard (1...64).contains(maxTransfers) else { throw ValidationError("--max-transfers must be 1…64") }
    }

    func run() async throws {
        let remote = items[items.count - 1]
        let locals = Array(items.dropLast())
        let mode = ifExists.rawValue
        let verify = self.verify
        let encrypt = self.encrypt
        let encryptNames = self.encryptNames
        try await OneShot.run(connection: connection, output: output, maxTransfers: maxTransfers) { run in
            await run.each(locals) { local in
                var params: [String: JSONValue] = ["local": .string(LocalPath.absolute(local)), "remote": .string(remote),
                                                   "ifExists": .string(mode)]
                if verify { params["verify"] = true }
                if let encrypt { params["encrypt"] = .bool(encrypt) }
                if let encryptNames { params["encryptNames"] = .bool(encryptNames) }
                guard let result = await run.call("transfer/upload", .object(params), label: local) else { return }
                run.emit(result) {
                    if result["skipped"]?.boolValue == true {
                        return "skipped \(local): \(result["path"]?.stringValue ?? "") exists (\(result["url"]?.stringValue ?? ""))"
                    }
                    let encrypted = result["encrypted"]?.boolValue == true
                        ? ", encrypted as \(result["remoteName"]?.stringValue ?? "")" : ""
                    return "\(result["url"]?.stringValue ?? "") \(result["path"]?.stringValue ?? "") (\(HumanFormat.size(result["size"]))\(encrypted))"
                }
            }
        }
    }
}
