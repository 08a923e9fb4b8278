import FichierAPI
import Foundation

/// Seeds and inspects the emulator's state in-process, without going through HTTP or the rate
/// limits. Available once the emulator is started.
public final class EmulatorAdmin: Sendable {
    let core: EmulatorCore

    init(core: EmulatorCore) {
        self.core = core
    }

    private var store: EmulatorStore { core.store }

    /// Creates a folder (or returns the existing one of that name) and returns its id.
    @discardableResult
    public func makeFolder(named name: String, in parent: Int) throws -> Int {
        try requireOpen()
        guard NameRules.isValid(name) else { throw EmulatorError.invalidArgument("invalid folder name: \(name)") }
        return try wrap { () throws(APIError) -> Int in
            try store.mutate { state throws(APIError) -> Int in
                guard state.folderExists(parent) else { throw .resourceNotFound }
                if let existing = state.childFolder(named: name, in: parent) { return existing.id }
                let folder = StoredFolder(
                    id: state.nextFolderID, name: name, parentID: parent, createDate: ParisTime.format(Date()))
                state.nextFolderID += 1
                state.insert(folder)
                return folder.id
            }
        }
    }

    /// Creates every missing folder of a path like `/backups/2026` and returns the last id
    /// (0 for `/` or an empty path).
    @discardableResult
    public func ensureFolder(path: String) throws -> Int {
        var id = 0
        for component in path.split(separator: "/") where !component.isEmpty {
            id = try makeFolder(named: String(component), in: id)
        }
        return id
    }

    /// The id of the folder at a path, or nil.
    public func folderID(path: String) -> Int? {
        store.peek { state in
            var id = 0
            for component in path.split(separator: "/") where !component.isEmpty {
                guard let child = state.childFolder(named: String(component), in: id) else { return nil }
                id = child.id
            }
            return id
        }
    }

    /// Adds a file with these bytes and returns its URL. In discard mode only the metadata is kept.
    @discardableResult
    public func addFile(named name: String, in folder: Int, contents: [UInt8]) throws -> String {
        try requireOpen()
        guard NameRules.isValid(name) else { throw EmulatorError.invalidArgument("invalid file name: \(name)") }
        let id = RandomIdentifiers.fileID()
        var checksum = ""
        var blob: String?
        if store.storage == .disk {
            let temporary = store.incomingPath()
            do {
                let file = try WritableFile(creating: temporary)
                try contents.withUnsafeBytes { bytes in try file.write(bytes) }
                try file.close()
                try store.adoptBlob(from: temporary, as: id)
            } catch {
                FileSystem.remove(temporary)
                throw EmulatorError.storage("\(error)")
            }
            checksum = Whirlpool.hex(of: contents)
            blob = id
        }
        let stored = try insertFiles(
            [(id: id, name: name, blob: blob)], in: folder, size: Int64(contents.count), checksum: checksum)
        return stored[0].url
    }

    /// Adds `count` files named `file-000001.bin`… of `size` bytes each (a repeating byte
    /// pattern; on disk they share one blob through hard links). For listing benchmarks.
    public func addFiles(count: Int, in folder: Int, size: Int64) throws {
        try requireOpen()
        guard count >= 0, size > 0 else { throw EmulatorError.invalidArgument("count must be ≥ 0 and size > 0") }
        guard count > 0 else { return }
        var checksum = ""
        var template: String?
        if store.storage == .disk {
            let path = store.incomingPath()
            do {
                checksum = try Self.writePattern(to: path, size: size)
            } catch {
                FileSystem.remove(path)
                throw EmulatorError.storage("\(error)")
            }
            template = path
        }
        defer { if let template { FileSystem.remove(template) } }
        let width = max(6, String(count).count)
        var entries: [(id: String, name: String, blob: String?)] = []
        entries.reserveCapacity(count)
        for index in 1...count {
            let id = RandomIdentifiers.fileID()
            let number = String(index)
            let name = "file-" + String(repeating: "0", count: max(0, width - number.count)) + number + ".bin"
            if let template {
                do {
                    try FileSystem.linkOrCopy(template, store.blobPath(id))
                } catch {
                    throw EmulatorError.storage("\(error)")
                }
            }
            entries.append((id, name, template == nil ? nil : id))
        }
        _ = try insertFiles(entries, in: folder, size: size, checksum: checksum)
    }

    /// A file by URL, or nil.
    public func file(url: String) -> EmulatedFile? {
        guard let id = FileURL.id(from: url), let file = store.peek({ $0.files[id] }) else { return nil }
        return emulated(file)
    }

    /// The files of a folder, in upload order.
    public func files(in folder: Int) -> [EmulatedFile] {
        store.peek { $0.files(in: folder) }.map(emulated)
    }

    /// Every file, anonymous uploads included, in upload order.
    public var allFiles: [EmulatedFile] {
        store.peek { $0.files.values.sorted { $0.sequence < $1.sequence } }.map(emulated)
    }

    // MARK: Helpers

    private func emulated(_ file: StoredFile) -> EmulatedFile {
        EmulatedFile(file, storedPath: file.blob.map(store.blobPath))
    }

    private func requireOpen() throws {
        guard store.isOpen else { throw EmulatorError.notStarted }
    }

    private func wrap<T>(_ body: () throws(APIError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw EmulatorError.invalidArgument(error.message)
        }
    }

    private func insertFiles(_ entries: [(id: String, name: String, blob: String?)], in folder: Int,
                             size: Int64, checksum: String) throws -> [StoredFile] {
        let now = Date()
        let date = ParisTime.format(now)
        do {
            return try store.mutate { state throws(APIError) -> [StoredFile] in
                guard state.folderExists(folder) else { throw .resourceNotFound }
                return entries.map { entry in
                    let file = StoredFile(
                        id: entry.id, name: entry.name, folderID: folder, size: size, checksum: checksum,
                        contentType: ContentTypes.guess(fileName: entry.name), date: date,
                        created: now.timeIntervalSince1970, sequence: state.takeSequence(), blob: entry.blob)
                    state.insert(file)
                    return file
                }
            }
        } catch {
            for entry in entries { store.removeBlob(entry.blob) }
            throw EmulatorError.invalidArgument("folder \(folder): \(error.message)")
        }
    }

    /// Writes `size` bytes of a repeating pattern and returns their Whirlpool.
    private static func writePattern(to path: String, size: Int64) throws -> String {
        let chunk = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let file = try WritableFile(creating: path)
        let hasher = Whirlpool()
        var remaining = size
        try chunk.withUnsafeBytes { bytes in
            while remaining > 0 {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[0..<Int(min(Int64(bytes.count), remaining))])
                try file.write(slice)
                hasher.update(slice)
                remaining -= Int64(slice.count)
            }
        }
        try file.close()
        return hasher.finalize()
    }
}
