import ArgumentParser
import FichierAPI

/// `fichier rmdir PATH… [-r]`: `fs/rmdir`.
struct RmdirCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rmdir", abstract: "Remove folders (fs/rmdir); with -r their contents too.")

    @Argument(help: "Remote folder paths.")
    var paths: [String]

    @Flag(name: [.customShort("r"), .customLong("recursive")], help: "Remove the files and sub-folders first.")
    var recursive = false

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one path") }
    }

    func run() async throws {
        try await OneShot.run(connection: connection, output: output) { run in
            for path in paths {
                var params: [String: JSONValue] = ["path": .string(path)]
                if recursive { params["recursive"] = true }
                guard let result = await run.call("fs/rmdir", .object(params)) else { continue }
                run.emit(result) {
                    "removed \(path) (\(result["removedFolders"]?.intValue ?? 0) folder(s), \(result["removedFiles"]?.intValue ?? 0) file(s))"
                }
            }
        }
    }
}
