import ArgumentParser
import FichierAPI

/// `fichier stat PATH|URL`: `fs/stat`.
struct StatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stat", abstract: "Show a file or folder (fs/stat).")

    @Argument(help: "Remote path, or a file URL.")
    var target: String

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await OneShot.run(connection: connection, output: output) { run in
            guard let result = await run.call("fs/stat", .object(RemoteArgument.params(target))) else { return }
            run.emit(result) { HumanFormat.entry(result) }
        }
    }
}
