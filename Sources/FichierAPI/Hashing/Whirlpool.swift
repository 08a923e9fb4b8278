import CRHash
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whirlpool (ISO/IEC 10118-3, 512 bits) through librhash: the only checksum 1fichier reports,
/// as 128 lowercase hex characters. One instance hashes one stream; it is not Sendable.
public final class Whirlpool {
    private static let libraryReady: Void = { rhash_library_init() }()
    private static let digestLength = 64

    private var context: rhash?
    private var result: String?

    public init() {
        _ = Whirlpool.libraryReady
        context = rhash_init(fichier_rhash_whirlpool)
    }

    deinit {
        if let context { rhash_free(context) }
    }

    /// Adds bytes to the stream. Ignored after `finalize()`.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let context, let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = rhash_update(context, base, bytes.count)
    }

    /// The digest of everything added so far, as 128 lowercase hex characters. Calling it again
    /// returns the same value.
    public func finalize() -> String {
        if let result { return result }
        var digest = [UInt8](repeating: 0, count: Whirlpool.digestLength)
        if let context {
            digest.withUnsafeMutableBufferPointer { buffer in
                _ = rhash_final(context, buffer.baseAddress)
            }
            rhash_free(context)
            self.context = nil
        }
        let text = Whirlpool.hexString(digest)
        result = text
        return text
    }

    /// The digest of a byte collection.
    public static func hex(of bytes: some Collection<UInt8>) -> String {
        let hasher = Whirlpool()
        let array = Array(bytes)
        array.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    /// The digest of a file's contents, read in 1 MiB blocks. Throws `local_io`.
    public static func hex(ofFileAt path: String) throws -> String {
        let hasher = Whirlpool()
        try hasher.update(fileAt: path)
        return hasher.finalize()
    }

    /// Adds the contents of the file at `path`, or only its first `length` bytes (then a
    /// shorter file is an error), read in 1 MiB blocks. Throws `local_io`.
    public func update(fileAt path: String, length: Int64? = nil) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FichierError(.localIO, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var remaining = length ?? .max
        while remaining > 0 {
            let count = read(descriptor, buffer.baseAddress, Int(min(Int64(buffer.count), remaining)))
            if count == 0 {
                guard length == nil else { throw FichierError(.localIO, "\(path) is shorter than \(length!) bytes") }
                break
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw FichierError(.localIO, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            remaining -= Int64(count)
        }
    }

    static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
