import Foundation

/// The upload node's multipart/form-data body, framed by hand so it streams with an exact
/// Content-Length: a `did` part (the folder), then one `file[]` part whose Content-Disposition
/// comes first and Content-Type second (the order nodes accept). The boundary is unquoted in
/// the Content-Type header; `name` and `filename` are quoted.
struct MultipartUploadBody: UploadBody {
    let boundary: String
    let prefix: [UInt8]
    let suffix: [UInt8]
    let file: any UploadBody

    init(file: any UploadBody, filename: String, folder: FolderID, boundary: String = MultipartUploadBody.makeBoundary()) {
        self.boundary = boundary
        self.file = file
        var head = ""
        head += "--\(boundary)\r\n"
        head += "Content-Disposition: form-data; name=\"did\"\r\n\r\n"
        head += "\(folder)\r\n"
        head += "--\(boundary)\r\n"
        head += "Content-Disposition: form-data; name=\"file[]\"; filename=\"\(filename)\"\r\n"
        head += "Content-Type: application/octet-stream\r\n\r\n"
        prefix = Array(head.utf8)
        suffix = Array("\r\n--\(boundary)--\r\n".utf8)
    }

    var length: Int64 { Int64(prefix.count) + file.length + Int64(suffix.count) }

    /// The request's Content-Type header value.
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    func makeReader() throws -> any ByteReader {
        MultipartReader(prefix: prefix, file: try file.makeReader(), fileLength: file.length, suffix: suffix)
    }

    static func makeBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return "----fichier" + String((0..<32).map { _ in digits[Int(generator.next() % 16)] })
    }
}

/// Serves prefix, exactly `fileLength` bytes of the file, then suffix. A file that ends early
/// or runs longer than announced is a `local_io` error (the Content-Length would lie).
final class MultipartReader: ByteReader {
    private let prefix: [UInt8]
    private let suffix: [UInt8]
    private let file: any ByteReader
    private let fileLength: Int64
    private var prefixSent = 0
    private var fileSent: Int64 = 0
    private var suffixSent = 0

    init(prefix: [UInt8], file: any ByteReader, fileLength: Int64, suffix: [UInt8]) {
        self.prefix = prefix
        self.file = file
        self.fileLength = fileLength
        self.suffix = suffix
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var written = 0
        if prefixSent < prefix.count {
            let count = min(buffer.count, prefix.count - prefixSent)
            prefix.withUnsafeBytes { base.copyMemory(from: $0.baseAddress! + prefixSent, byteCount: count) }
            prefixSent += count
            written += count
            if written == buffer.count { return written }
        }
        if fileSent < fileLength {
            let room = Int(min(Int64(buffer.count - written), fileLength - fileSent))
            let count = try file.read(into: UnsafeMutableRawBufferPointer(start: base + written, count: room))
            guard count >= 0, count <= room else {
                throw FichierError(.localIO, "the upload source returned an invalid byte count")
            }
            if count == 0 {
                throw FichierError(.localIO, "the upload source ended after \(fileSent) of \(fileLength) bytes")
            }
            fileSent += Int64(count)
            written += count
            if fileSent == fileLength {
                var probe: UInt8 = 0
                let extra = try withUnsafeMutableBytes(of: &probe) { try file.read(into: $0) }
                if extra > 0 {
                    throw FichierError(.localIO, "the upload source has more than its declared \(fileLength) bytes")
                }
            }
            return written
        }
        if suffixSent < suffix.count {
            let count = min(buffer.count - written, suffix.count - suffixSent)
            suffix.withUnsafeBytes { (base + written).copyMemory(from: $0.baseAddress! + suffixSent, byteCount: count) }
            suffixSent += count
            written += count
        }
        return written
    }
}
