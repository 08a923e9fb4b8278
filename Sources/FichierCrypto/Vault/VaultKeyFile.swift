import CSodium
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Key files for unattended unlock: 32 random bytes written as text,
/// `FCVK1-` + uppercase base32(key ‖ first 4 bytes of BLAKE2b-256(key)), so a typo or a
/// truncated copy is caught by the checksum instead of reading as a wrong key.
public enum VaultKeyFile {
    static let prefix = "FCVK1-"
    static let keyLength = 32
    static let checksumLength = 4

    /// The text form of a key, in secure memory.
    static func encode(_ key: SecureBytes) -> SecureBytes {
        key.withUnsafeBytes { raw in
            var payload = [UInt8](raw) + checksum(raw)
            defer { payload.wipe() }
            var text = Array((prefix + Base32.encode(payload, case: .upper)).utf8)
            defer { text.wipe() }
            return text.withUnsafeBytes { SecureBytes(copying: $0) }
        }
    }

    /// Parses the key out of a key file's contents: the first line starting with `FCVK1-`
    /// (other lines, such as `#` comments, are ignored).
    static func decode(_ contents: SecureBytes) throws(VaultError) -> SecureBytes {
        let result: Result<SecureBytes, VaultError> = contents.withUnsafeBytes { raw in
            for line in raw.split(separator: 0x0A) {
                var text = line[...]
                if text.last == 0x0D { text = text.dropLast() }
                while let last = text.last, last == 0x20 || last == 0x09 { text = text.dropLast() }
                while let first = text.first, first == 0x20 || first == 0x09 { text = text.dropFirst() }
                guard text.starts(with: Array(prefix.utf8)) else { continue }
                // Accept lowercase too; base32 is case-insensitive for people.
                var body = text.dropFirst(prefix.utf8.count).map { ($0 >= 0x61 && $0 <= 0x7A) ? $0 - 32 : $0 }
                defer { body.wipe() }
                guard var decoded = Base32.decode(body, case: .upper) else {
                    return .failure(.badKeyFile("the key is not valid base32"))
                }
                defer { decoded.wipe() }
                guard decoded.count == keyLength + checksumLength else {
                    return .failure(.badKeyFile("the key has the wrong length"))
                }
                let key = Array(decoded[0..<keyLength])
                let expected = key.withUnsafeBytes { checksum($0) }
                guard expected == Array(decoded[keyLength...]) else {
                    return .failure(.badKeyFile("checksum mismatch (typo or damaged copy)"))
                }
                return .success(key.withUnsafeBytes { SecureBytes(copying: $0) })
            }
            return .failure(.badKeyFile("no FCVK1- line found"))
        }
        return try result.get()
    }

    private static func checksum(_ key: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        _ = crypto_generichash(&digest, 32, key.bytes, UInt64(key.count), nil, 0)
        return Array(digest[0..<checksumLength])
    }

    /// Reads and decodes a key file. Refuses files readable by group or others.
    public static func read(path: String) throws(VaultError) -> SecureBytes {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .badKeyFile("cannot read \(path): \(errnoText())") }
        guard info.st_mode & 0o077 == 0 else {
            throw .badKeyFile("\(path) is accessible by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        let contents: SecureBytes
        do {
            contents = try SecretInput.read(path: path, what: "key file")
        } catch {
            throw .badKeyFile("\(error)")
        }
        return try decode(contents)
    }

    /// Writes a new key file with mode 0600 (never overwrites) and returns the key.
    static func create(path: String, key: SecureBytes) throws(VaultError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io("cannot create \(path): \(errnoText())") }
        var ok = fchmod(fd, 0o600) == 0
        let text = encode(key)
        let header = Array("# fichier vault key file: unlocks the vault without a passphrase. Keep it private.\n".utf8)
        ok = ok && writeFully(fd, header)
        ok = ok && text.withUnsafeBytes { writeFully(fd, $0) } && writeFully(fd, [0x0A])
        ok = ok && fsync(fd) == 0
        close(fd)
        if !ok {
            unlink(path)
            throw .io("cannot write \(path)")
        }
    }
}

func writeFully(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { writeFully(fd, $0) }
}

func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = posixWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += n
    }
    return true
}
