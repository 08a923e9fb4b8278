import FichierAPI
import Foundation

extension APIHandlers {
    /// folder/ls.cgi: the folder (`folder_id`, `name` "Root" for 0, `size: null`, `files` count)
    /// and its `sub_folders` (`id`, `create_date`, `name`, `pass`); `files:1` adds `items`.
    func listFolder(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        let id = try parameters.folderID()
        let withFiles = try parameters.flag("files") == 1
        let (folder, subfolders, files) = try store.read {
            state throws(APIError) -> (StoredFolder?, [StoredFolder], [StoredFile]) in
            guard id >= 0, state.folderExists(id) else { throw .resourceNotFound }
            return (state.folders[id], state.childFolders(of: id), state.files(in: id))
        }
        let listed = visible(files)
        var answer: WireObject = [
            "folder_id": .int(id), "status": "OK", "size": .null, "files": .int(listed.count),
            "name": .string(folder?.name ?? "Root"),
        ]
        if let folder {
            answer["create_date"] = .string(folder.createDate)
            answer["pass"] = .int(folder.sharePassword == nil ? 0 : 1)
            if folder.shared == 1 { answer["shared"] = .string("https://1fichier.com/dir/\(folder.id)") }
        }
        answer["sub_folders"] = .array(capped(subfolders).map { sub in
            ["id": .int(sub.id), "create_date": .string(sub.createDate), "name": .string(sub.name),
             "pass": .int(sub.sharePassword == nil ? 0 : 1)]
        })
        if withFiles { answer["items"] = .array(capped(listed).map(Self.listItem)) }
        return .object(answer)
    }

    /// folder/mkdir.cgi: `name` in `folder_id`; an existing name there is refused.
    func makeFolder(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let name = try parameters.string("name") else { throw .invalidParameter("name") }
        guard NameRules.isValid(name) else { throw .invalidName(name) }
        let parent = try parameters.folderID()
        let created = try store.mutate { state throws(APIError) -> StoredFolder in
            guard parent >= 0, state.folderExists(parent) else { throw .resourceNotFound }
            guard state.childFolder(named: name, in: parent) == nil else { throw .folderExists }
            let folder = StoredFolder(
                id: state.nextFolderID, name: name, parentID: parent, createDate: ParisTime.format(Date()))
            state.nextFolderID += 1
            state.insert(folder)
            return folder
        }
        return ["status": "OK", "folder_id": .int(created.id), "name": .string(created.name)]
    }

    /// folder/mv.cgi: `folder_id`, `destination_folder_id`, `rename`. Both may be given together
    /// (rclone's DirMove does); with `rename` alone the folder stays where it is.
    func moveFolder(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let id = try parameters.int("folder_id") else { throw .invalidParameter("folder_id") }
        let destination = try parameters.int("destination_folder_id")
        let rename = try parameters.string("rename").flatMap { $0.isEmpty ? nil : $0 }
        guard destination != nil || rename != nil else { throw .invalidParameter("destination_folder_id") }
        if let rename, !NameRules.isValid(rename) { throw .invalidName(rename) }
        guard id != 0 else { throw .rootFolder }
        let (old, new) = try store.mutate { state throws(APIError) -> (String, String) in
            guard let folder = state.folders[id] else { throw .resourceNotFound }
            let parent = destination ?? folder.parentID
            guard parent >= 0, state.folderExists(parent) else { throw .resourceNotFound }
            guard !state.isFolder(parent, inside: id) else { throw .folderIntoItself }
            let name = rename ?? folder.name
            if let clash = state.childFolder(named: name, in: parent), clash.id != id { throw .folderExists }
            state.moveFolder(id, to: parent, name: name)
            return (folder.name, name)
        }
        return ["status": "OK", "message": "Folder moved", "old_name": .string(old), "new_name": .string(new)]
    }

    /// folder/rm.cgi: only an empty folder can go.
    func removeFolder(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let id = try parameters.int("folder_id") else { throw .invalidParameter("folder_id") }
        guard id != 0 else { throw .rootFolder }
        try store.mutate { state throws(APIError) in
            guard state.folders[id] != nil else { throw .resourceNotFound }
            guard state.childFolders(of: id).isEmpty, state.fileCount(in: id) == 0 else { throw .folderNotEmpty }
            state.removeFolder(id)
        }
        return ["status": "OK"]
    }

    /// folder/share.cgi: `share` 0/1 (public URL), `pass` (6+ chars, empty removes), `shares`
    /// (groupware users; an empty array removes them all).
    func shareFolder(_ parameters: APIParameters) throws(APIError) -> WireJSON {
        guard let id = try parameters.int("folder_id") else { throw .invalidParameter("folder_id") }
        guard id != 0 else { throw .rootFolder }
        let share = try parameters.flag("share")
        let password = try parameters.string("pass")
        if let password, !password.isEmpty, password.count < 6 { throw .invalidParameter("pass") }
        var shares: [FolderShare]?
        if let entries = try parameters.objects("shares") {
            shares = []
            for entry in entries {
                let fields = APIParameters(entry)
                guard let email = try fields.string("email"), email.contains("@") else { throw .invalidParameter("shares") }
                let hideLinks = try fields.flag("hide_links") ?? 0
                let rw = hideLinks == 1 ? 0 : (try fields.flag("rw") ?? 0)
                shares?.append(FolderShare(email: email, rw: rw, hideLinks: hideLinks))
            }
        }
        let folder = try store.mutate { state throws(APIError) -> StoredFolder in
            guard var folder = state.folders[id] else { throw .resourceNotFound }
            if let share { folder.shared = share }
            if let password { folder.sharePassword = password.isEmpty ? nil : password }
            if let shares { folder.shares = shares }
            state.insert(folder)
            return folder
        }
        var answer: WireObject = ["status": "OK"]
        if folder.shared == 1 { answer["url"] = .string("https://1fichier.com/dir/\(folder.id)") }
        answer["message"] = .string(folder.shared == 1 || !folder.shares.isEmpty ? "Folder shared" : "Folder not shared")
        return .object(answer)
    }
}
