import ArgumentParser
import FichierAPI
import Foundation

/// `fichier link PATH|URL`: `link/get`.
struct LinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link", abstract: "Print a direct download URL, valid about 5 minutes (link/get).")

    @Argument(help: "Remote file path, or a file URL.")
    var target: String

    @Flag(name: .customLong("cdn"), help: "Use CDN credits.")
    var cdn = false

    @Option(name: .customLong("password-file"), help: "A file holding the file's download password.")
    var passwordFile: String?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var params = RemoteArgument.params(target)
        if cdn { params["cdn"] = true }
        if let passwordFile {
            guard let text = try? String(contentsOfFile: LocalPath.absolute(passwordFile), encoding: .utf8) else {
                throw ValidationError("cannot read --password-file \(passwordFile)")
            }
            params["password"] = .string(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try await OneShot.run(connection: connection, output: output) { run in
            guard let result = await run.call("link/get", .object(params)) else { return }
            run.emit(result) { result["url"]?.stringValue ?? "" }
        }
    }
}
