#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// File-scope wrappers so methods named close/write/rename can reach the C calls.
private func posixClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func posixWrite(_ descriptor: Int32, _ base: UnsafeRawPointer, _ count: Int) -> Int { write(descriptor, base, count) }
private func posixRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }

/// A failed file-system call of the emulator's storage.
struct StorageError: Error, Sendable, CustomStringConvertible {
    var operation: String
    var path: String
    var code: Int32

    var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }

    static func last(_ operation: String, _ path: String) -> StorageError {
        StorageError(operation: operation, path: path, code: errno)
    }
}

/// A file opened for writing with plain POSIX calls; writes go straight to the page cache.
final class WritableFile {
    let path: String
    private var descriptor: Int32

    init(creating path: String) throws(StorageError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .last("open", path) }
    }

    deinit { if descriptor >= 0 { _ = posixClose(descriptor) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = posixWrite(descriptor, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw .last("write", path)
            }
            remaining -= written
            base += written
        }
    }

    func sync() throws(StorageError) {
        guard fsync(descriptor) == 0 else { throw .last("fsync", path) }
    }

    func close() throws(StorageError) {
        guard descriptor >= 0 else { return }
        let result = posixClose(descriptor)
        descriptor = -1
        guard result == 0 else { throw .last("close", path) }
    }
}

/// A file opened for positional reads.
final class ReadableFile: @unchecked Sendable {
    // Immutable after init; pread is safe from any thread.
    let path: String
    let size: Int64
    private let descriptor: Int32

    init(path: String) throws(StorageError) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .last("open", path) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let error = StorageError.last("stat", path)
            _ = posixClose(descriptor)
            throw error
        }
        size = Int64(info.st_size)
    }

    deinit { _ = posixClose(descriptor) }

    /// Reads up to `buffer.count` bytes at `offset`; returns the count (0 at end of file).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(StorageError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        while true {
            let count = pread(descriptor, base, buffer.count, off_t(offset))
            if count >= 0 { return count }
            if errno != EINTR { throw .last("read", path) }
        }
    }
}

/// Small file-system helpers.
enum FileSystem {
    static func makeDirectory(_ path: String) throws(StorageError) {
        if mkdir(path, 0o700) != 0, errno != EEXIST { throw .last("mkdir", path) }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func remove(_ path: String) {
        _ = unlink(path)
    }

    static func rename(_ from: String, _ to: String) throws(StorageError) {
        guard posixRename(from, to) == 0 else { throw .last("rename", to) }
    }

    /// Hard-links `from` to `to`, copying when the file system refuses links.
    static func linkOrCopy(_ from: String, _ to: String) throws(StorageError) {
        if link(from, to) == 0 { return }
        let source = try ReadableFile(path: from)
        let target = try WritableFile(creating: to)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var offset: Int64 = 0
        while true {
            let count = try source.read(into: chunk, at: offset)
            if count == 0 { break }
            try target.write(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
            offset += Int64(count)
        }
        try target.close()
    }

    static func fsyncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = posixClose(descriptor)
    }

    static func readAll(_ path: String) throws -> [UInt8] {
        let file = try ReadableFile(path: path)
        var out = [UInt8](repeating: 0, count: Int(file.size))
        var offset = 0
        while offset < out.count {
            let count = try out.withUnsafeMutableBytes { bytes in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[offset...]), at: Int64(offset))
            }
            if count == 0 { break }
            offset += count
        }
        return Array(out[0..<offset])
    }

    /// Writes a file atomically: temporary file, fsync, rename, directory fsync.
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws {
        let temporary = path + ".tmp"
        let file = try WritableFile(creating: temporary)
        try bytes.withUnsafeBytes { raw in try file.write(raw) }
        try file.sync()
        try file.close()
        try rename(temporary, path)
        fsyncDirectory(directory)
    }

    /// Removes a directory tree (used for the temporary data directory).
    static func removeTree(_ path: String) {
        guard let directory = opendir(path) else {
            _ = unlink(path)
            return
        }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            var info = stat()
            if lstat(child, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                removeTree(child)
            } else {
                _ = unlink(child)
            }
        }
        closedir(directory)
        _ = rmdir(path)
    }

    /// Names in a directory.
    static func list(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
