import FichierAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The destination of a decrypted download: `local.partial` created with mode 0600 (no
/// symlink followed), written, flushed by `finish()`. Decrypted data is never readable by
/// other users, not even while it is being written.
///
/// A resumed decryption keeps the file's first `keeping` bytes (it is cut to that length, and
/// brought to mode 0600 if it was not) and writes after them.
final class PrivateFileSink: DownloadSink {
    let path: String
    let keeping: Int64
    private var descriptor: Int32 = -1
    private(set) var bytesWritten: Int64 = 0

    init(path: String, keeping: Int64 = 0) {
        self.path = path
        self.keeping = keeping
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func begin(status: Int, headers: HTTPHeaders) throws {
        if descriptor >= 0 { close(descriptor) }
        // Kept bytes must still be there: never created (or grown) with zeros in their place.
        descriptor = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (keeping > 0 ? 0 : O_CREAT | O_TRUNC), 0o600)
        guard descriptor >= 0 else {
            throw FichierError(.localIO, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        guard fchmod(descriptor, 0o600) == 0 else {
            throw FichierError(.localIO, "cannot restrict \(path) to mode 0600: \(String(cString: strerror(errno)))")
        }
        if keeping > 0 {
            var info = stat()
            guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int64(info.st_size) >= keeping else {
                throw FichierError(.localIO, "\(path) no longer holds the \(keeping) bytes kept from before")
            }
            guard ftruncate(descriptor, off_t(keeping)) == 0, lseek(descriptor, off_t(keeping), SEEK_SET) == off_t(keeping) else {
                throw FichierError(.localIO, "cannot keep the first \(keeping) bytes of \(path): \(String(cString: strerror(errno)))")
            }
        }
        bytesWritten = 0
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard descriptor >= 0 else { throw FichierError(.localIO, "the download file is not open") }
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            #else
            let count = Darwin.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            #endif
            if count < 0 {
                if errno == EINTR { continue }
                throw FichierError(.localIO, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += count
        }
        bytesWritten += Int64(bytes.count)
    }

    func finish() throws {
        guard descriptor >= 0 else { return }
        defer { close(descriptor); descriptor = -1 }
        if fsync(descriptor) != 0 {
            throw FichierError(.localIO, "cannot flush \(path): \(String(cString: strerror(errno)))")
        }
    }
}
