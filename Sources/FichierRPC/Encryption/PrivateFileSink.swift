import FichierAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The destination of a decrypted download: `local.partial` created with mode 0600 (no
/// symlink followed), written, flushed by `finish()`. Decrypted data is never readable by
/// other users, not even while it is being written.
final class PrivateFileSink: DownloadSink {
    let path: String
    private var descriptor: Int32 = -1
    private(set) var bytesWritten: Int64 = 0

    init(path: String) {
        self.path = path
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func begin(status: Int, headers: HTTPHeaders) throws {
        if descriptor >= 0 { close(descriptor) }
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw FichierError(.localIO, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        guard fchmod(descriptor, 0o600) == 0 else {
            throw FichierError(.localIO, "cannot restrict \(path) to mode 0600: \(String(cString: strerror(errno)))")
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
