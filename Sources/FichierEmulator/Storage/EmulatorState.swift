/// Everything the emulator remembers, with indexes for listings. Value type: mutated only
/// under `EmulatorStore`'s lock, snapshotted (copy-on-write) to be persisted.
struct EmulatorState: Sendable {
    var folders: [Int: StoredFolder] = [:]
    var files: [String: StoredFile] = [:]
    var account = AccountSettings()
    var remoteTasks: [Int: RemoteTask] = [:]
    var ftpUsers: [FTPUser] = []
    var nextFolderID = 1_000_001
    var nextRemoteID = 1
    var nextSequence: Int64 = 1

    /// Sub-folder ids per parent.
    private(set) var subfolders: [Int: Set<Int>] = [:]
    /// File ids per folder (anonymous uploads are in no folder).
    private(set) var folderFiles: [Int: Set<String>] = [:]

    init() {}

    init(_ persisted: PersistedState) {
        account = persisted.account
        ftpUsers = persisted.ftpUsers
        nextFolderID = persisted.nextFolderID
        nextRemoteID = persisted.nextRemoteID
        nextSequence = persisted.nextSequence
        for folder in persisted.folders { insert(folder) }
        for file in persisted.files { insert(file) }
        for task in persisted.remoteTasks { remoteTasks[task.id] = task }
    }

    var persisted: PersistedState {
        PersistedState(
            nextFolderID: nextFolderID, nextRemoteID: nextRemoteID, nextSequence: nextSequence,
            account: account,
            folders: folders.values.sorted { $0.id < $1.id },
            files: files.values.sorted { $0.sequence < $1.sequence },
            remoteTasks: remoteTasks.values.sorted { $0.id < $1.id },
            ftpUsers: ftpUsers)
    }

    // MARK: Folders

    func folderExists(_ id: Int) -> Bool { id == 0 || folders[id] != nil }

    func name(ofFolder id: Int) -> String { id == 0 ? "Root" : folders[id]?.name ?? "" }

    func childFolders(of id: Int) -> [StoredFolder] {
        (subfolders[id] ?? []).compactMap { folders[$0] }.sorted { $0.id < $1.id }
    }

    func childFolder(named name: String, in parent: Int) -> StoredFolder? {
        (subfolders[parent] ?? []).lazy.compactMap { folders[$0] }.first { $0.name == name }
    }

    /// The folder's path from the root, `A/B`, empty for the root.
    func path(ofFolder id: Int) -> String {
        var names: [String] = []
        var current = id
        var guardCount = 0
        while current != 0, let folder = folders[current], guardCount < 10_000 {
            names.append(folder.name)
            current = folder.parentID
            guardCount += 1
        }
        return names.reversed().joined(separator: "/")
    }

    /// True when `candidate` is `ancestor` or lies below it.
    func isFolder(_ candidate: Int, inside ancestor: Int) -> Bool {
        var current = candidate
        var guardCount = 0
        while guardCount < 10_000 {
            if current == ancestor { return true }
            guard current != 0, let folder = folders[current] else { return false }
            current = folder.parentID
            guardCount += 1
        }
        return false
    }

    mutating func insert(_ folder: StoredFolder) {
        folders[folder.id] = folder
        subfolders[folder.parentID, default: []].insert(folder.id)
    }

    mutating func removeFolder(_ id: Int) {
        guard let folder = folders.removeValue(forKey: id) else { return }
        subfolders[folder.parentID]?.remove(id)
        subfolders[id] = nil
        folderFiles[id] = nil
    }

    mutating func moveFolder(_ id: Int, to parent: Int, name: String) {
        guard var folder = folders[id] else { return }
        subfolders[folder.parentID]?.remove(id)
        folder.parentID = parent
        folder.name = name
        insert(folder)
    }

    // MARK: Files

    func files(in folder: Int) -> [StoredFile] {
        (folderFiles[folder] ?? []).compactMap { files[$0] }.sorted { $0.sequence < $1.sequence }
    }

    func fileCount(in folder: Int) -> Int { folderFiles[folder]?.count ?? 0 }

    var ownedFiles: [StoredFile] {
        files.values.filter { $0.folderID != nil }.sorted { $0.sequence < $1.sequence }
    }

    mutating func takeSequence() -> Int64 {
        defer { nextSequence += 1 }
        return nextSequence
    }

    mutating func insert(_ file: StoredFile) {
        if let old = files[file.id], let oldFolder = old.folderID { folderFiles[oldFolder]?.remove(file.id) }
        files[file.id] = file
        if let folder = file.folderID { folderFiles[folder, default: []].insert(file.id) }
    }

    @discardableResult
    mutating func removeFile(_ id: String) -> StoredFile? {
        guard let file = files.removeValue(forKey: id) else { return nil }
        if let folder = file.folderID { folderFiles[folder]?.remove(id) }
        return file
    }

    /// A fresh file id, unique in this state.
    func newFileID() -> String {
        while true {
            let id = RandomIdentifiers.fileID()
            if files[id] == nil { return id }
        }
    }
}

/// The on-disk form of the state (`state.json`).
struct PersistedState: Codable, Sendable {
    var format = 1
    var nextFolderID: Int
    var nextRemoteID: Int
    var nextSequence: Int64
    var account: AccountSettings
    var folders: [StoredFolder]
    var files: [StoredFile]
    var remoteTasks: [RemoteTask]
    var ftpUsers: [FTPUser]
}
