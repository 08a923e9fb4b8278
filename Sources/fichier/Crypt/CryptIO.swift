import FichierCrypto
#if canImport(CDispatch)
// Depending on module build order, clang attributes `struct stat` to Dispatch's C module;
// with MemberImportVisibility its fields are then only visible when that module is imported.
import CDispatch
#endif
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File plumbing of `fichier encrypt` / `fichier decrypt`: an input descriptor, and an output
/// that is either stdout or a file staged as `NAME.partial` (mode 0600) and renamed into place
/// only when the whole result is good.
enum CryptIO {
    static let bufferSize = 1 << 20

    /// Opens the input file, or returns stdin for nil / "-".
    static func openInput(_ path: String?) throws -> Int32 {
        guard let path, path != "-" else { return 0 }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError("cannot open \(path): \(String(cString: strerror(errno)))", kind: "local_io") }
        return fd
    }

    /// Size of a regular-file input, for reporting the exact output size up front.
    static func regularFileSize(_ fd: Int32) -> Int64? {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// read(2) with EINTR retry; throws on error.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw CLIError("read error: \(String(cString: strerror(errno)))", kind: "local_io")
        }
    }

    /// Reads identity files (`-i`) into identities; the contents stay in secure memory.
    static func identities(fromFiles paths: [String]) throws -> [any AgeIdentity] {
        var result: [any AgeIdentity] = []
        for path in paths {
            let contents = try SecretInput.read(path: path, what: "identity file")
            if contents.withUnsafeBytes({ AgeFormat.recognizes(prefix: $0.prefix(64)) }) {
                throw CLIError("\(path) is an encrypted identity file, which is not supported; decrypt it with age first")
            }
            do {
                result += try AgeKeys.identities(fileContents: contents)
            } catch {
                throw CLIError("\(path): \(error)")
            }
        }
        return result
    }
}

/// Where results go: stdout, or `NAME.partial` renamed to `NAME` on commit.
final class StagedOutput {
    let fd: Int32
    private let finalPath: String?
    private let partialPath: String?
    private var done = false
    private var ownsDescriptor = false

    init(path: String?) throws {
        guard let path, path != "-" else {
            fd = 1
            finalPath = nil
            partialPath = nil
            return
        }
        // An existing non-regular target (/dev/null, a FIFO, a terminal) is written directly:
        // staging and renaming would replace the device node with a file.
        var info = stat()
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            let descriptor = open(path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw CLIError("cannot open \(path): \(String(cString: strerror(errno)))", kind: "local_io") }
            fd = descriptor
            finalPath = nil
            partialPath = nil
            ownsDescriptor = true
            return
        }
        let partial = path + ".partial"
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CLIError("cannot create \(partial): \(String(cString: strerror(errno)))", kind: "local_io") }
        _ = fchmod(descriptor, 0o600)
        fd = descriptor
        finalPath = path
        partialPath = partial
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    var isFile: Bool { finalPath != nil }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw CLIError("write error: \(String(cString: strerror(errno)))", kind: "local_io") }
            offset += n
        }
    }

    /// Makes the output final: fsync and rename for a file.
    func commit() throws {
        guard let finalPath, let partialPath, !done else { return }
        done = true
        guard fsync(fd) == 0 else {
            close(fd)
            unlink(partialPath)
            throw CLIError("cannot sync \(partialPath): \(String(cString: strerror(errno)))", kind: "local_io")
        }
        close(fd)
        guard rename(partialPath, finalPath) == 0 else {
            unlink(partialPath)
            throw CLIError("cannot rename \(partialPath) to \(finalPath): \(String(cString: strerror(errno)))", kind: "local_io")
        }
    }

    /// Discards a staged file (no output remains).
    func abandon() {
        guard let partialPath, !done else { return }
        done = true
        close(fd)
        unlink(partialPath)
    }
}
