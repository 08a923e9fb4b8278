import ArgumentParser
import FichierAPI

/// `fichier rename PATH|URL NAME`: `fs/rename`.
struct RenameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rename", abstract: "Rename a file or folder in place (fs/rename).")

    @Argument(help: "Remote path, or a file URL.")
    var target: String

    @Argument(help: "The new name.")
    var name: String

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var params = RemoteArgument.params(target)
        params["name"] = .string(name)
        try await OneShot.run(connection: connection, output: output) { run in
            guard let result = await run.call("fs/rename", .object(params)) else { return }
            run.emit(result) {
                let now = result["path"]?.stringValue ?? result["name"]?.stringValue ?? name
                return result["renamed"]?.boolValue == true ? "renamed \(target) -> \(now)" : "\(now) already has that name"
            }
        }
    }
}
