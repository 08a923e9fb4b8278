#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular local file, read sequentially; its size is taken when the body is made.
public struct FileUploadBody: UploadBody {
    public let path: String
    public let length: Int64

    /// Throws `local_io` when the file cannot be examined or is not a regular file.
    public init(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw FichierError(.localIO, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FichierError(.localIO, "\(path) is not a regular file")
        }
        self.path = path
        self.length = Int64(info.st_size)
    }

    public func makeReader() throws -> any ByteReader {
        try FileByteReader(path: path)
    }
}

/// Reads a file with read(2); closes it on deinit.
final class FileByteReader: ByteReader {
    private let descriptor: Int32
    private let path: String

    init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FichierError(.localIO, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        #if os(Linux)
        _ = posix_fadvise(descriptor, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        close(descriptor)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = POSIX.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw FichierError(.localIO, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
    }
}
