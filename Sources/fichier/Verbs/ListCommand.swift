import ArgumentParser
import FichierAPI

/// `fichier ls [PATH]`: `fs/list`, every page.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List a folder: its sub-folders and files (fs/list).")

    @Argument(help: "Remote folder path.")
    var path: String = "/"

    @Option(name: .customLong("folder-id"), help: "List the folder with this id instead of a path.")
    var folderId: Int?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await OneShot.run(connection: connection, output: output) { run in
            var params: [String: JSONValue] = folderId.map { ["folderId": .integer(Int64($0))] } ?? ["path": .string(path)]
            params["pageSize"] = 5_000
            guard var combined = await run.call("fs/list", .object(params))?.objectValue else { return }
            var folders = combined["folders"]?.arrayValue ?? []
            var files = combined["files"]?.arrayValue ?? []
            while let cursor = combined["nextCursor"]?.stringValue {
                guard let page = await run.call("fs/list", ["cursor": .string(cursor), "pageSize": 5_000])?.objectValue else {
                    return
                }
                folders += page["folders"]?.arrayValue ?? []
                files += page["files"]?.arrayValue ?? []
                combined["nextCursor"] = page["nextCursor"]
            }
            combined["folders"] = .array(folders)
            combined["files"] = .array(files)
            combined["nextCursor"] = nil
            let result = JSONValue.object(combined)
            run.emit(result) {
                var lines: [String] = []
                for folder in folders {
                    lines.append("folder  " + HumanFormat.padLeft("", 9) + "  " + HumanFormat.date(folder["created"])
                                 + "  " + (folder["name"]?.stringValue ?? "") + "/")
                }
                for file in files {
                    var marker = ""
                    if file["encrypted"]?.boolValue == true {
                        marker = file["decryptError"]?.stringValue.map { "  [encrypted name: \($0)]" } ?? "  [encrypted]"
                    }
                    lines.append("file    " + HumanFormat.padLeft(HumanFormat.size(file["size"]), 9) + "  "
                                 + HumanFormat.date(file["date"]) + "  " + (file["name"]?.stringValue ?? "") + marker)
                }
                if result["complete"]?.boolValue == false {
                    lines.append("(1fichier listed only part of this folder's files)")
                }
                return lines.joined(separator: "\n")
            }
        }
    }
}
