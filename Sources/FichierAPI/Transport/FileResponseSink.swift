#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a download to a local file (created with mode 0644, or appended to for a resumed
/// range). The file is opened when the answer begins, so an error page never touches it.
public final class FileResponseSink: ResponseSink {
    public let path: String
    private let append: Bool
    private var descriptor: Int32 = -1
    public private(set) var bytesWritten: Int64 = 0

    public init(path: String, append: Bool = false) {
        self.path = path
        self.append = append
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    public func begin(status: Int, headers: HTTPHeaders) throws {
        if descriptor >= 0 { close(descriptor) }
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else {
            throw FichierError(.localIO, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        bytesWritten = 0
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard descriptor >= 0 else { throw FichierError(.localIO, "the download file is not open") }
        var offset = 0
        while offset < bytes.count {
            let count = POSIX.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw FichierError(.localIO, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += count
        }
        bytesWritten += Int64(bytes.count)
    }

    /// Flushes the file to disk and closes it.
    public func finish() throws {
        guard descriptor >= 0 else { return }
        defer { close(descriptor); descriptor = -1 }
        if fsync(descriptor) != 0 {
            throw FichierError(.localIO, "cannot flush \(path): \(String(cString: strerror(errno)))")
        }
    }
}
