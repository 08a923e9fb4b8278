import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Local file-system steps of a download: where it goes, the `.partial` beside it, the final
/// rename.
enum LocalFiles {
    /// `path` made absolute against the working directory.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let base = FileManager.default.currentDirectoryPath
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// A remote name usable as a local file name (no `/`, no NUL, not `.` or `..`).
    static func safeName(_ name: String) -> String {
        var cleaned = String(name.map { $0 == "/" || $0 == "\0" ? "_" : $0 })
        if cleaned.isEmpty || cleaned == "." || cleaned == ".." { cleaned = "_" + cleaned }
        return cleaned
    }

    /// The size of a regular file at `path` (symbolic links not followed), nil otherwise.
    static func regularFileSize(_ path: String) -> Int64? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// Up to the first `count` bytes of the file at `path`.
    static func prefix(of path: String, count: Int) throws(RPCError) -> [UInt8] {
        try bytes(of: path, from: 0, count: count)
    }

    /// Up to `count` bytes of the file at `path` from byte `offset`.
    static func bytes(of path: String, from offset: Int64, count: Int) throws(RPCError) -> [UInt8] {
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw RPCError.mapping(kind: "local_io", message: "cannot read \(path)", path: path)
        }
        defer { try? file.close() }
        do {
            if offset > 0 { try file.seek(toOffset: UInt64(offset)) }
            return [UInt8](try file.read(upToCount: count) ?? Data())
        } catch {
            throw RPCError.mapping(kind: "local_io", message: "cannot read \(path): \(error)", path: path)
        }
    }

    static func remove(_ path: String) {
        _ = unlink(path)
    }

    /// Renames `from` over `to` and flushes the directory entry.
    static func commit(_ from: String, to: String) throws(RPCError) {
        guard rename(from, to) == 0 else {
            let reason = String(cString: strerror(errno))
            throw RPCError.mapping(kind: "local_io", message: "cannot rename \(from) to \(to): \(reason)", path: to)
        }
        let directory = (to as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            _ = fsync(descriptor)
            close(descriptor)
        }
    }
}
