import ArgumentParser
import FichierAPI

/// `fichier mkdir PATH… [-p]`: `fs/mkdir`.
struct MkdirCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mkdir", abstract: "Make folders (fs/mkdir).")

    @Argument(help: "Remote folder paths.")
    var paths: [String]

    @Flag(name: [.customShort("p"), .customLong("parents")], help: "Make missing parents; an existing folder is fine.")
    var parents = false

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one path") }
    }

    func run() async throws {
        try await OneShot.run(connection: connection, output: output) { run in
            // One after the other: a later path may live inside an earlier one.
            for path in paths {
                var params: [String: JSONValue] = ["path": .string(path)]
                if parents { params["parents"] = true }
                guard let result = await run.call("fs/mkdir", .object(params)) else { continue }
                run.emit(result) {
                    let verb = result["created"]?.boolValue == true ? "created" : "exists"
                    return "\(verb) \(result["path"]?.stringValue ?? path) (folder \(result["id"]?.intValue ?? 0))"
                }
            }
        }
    }
}
