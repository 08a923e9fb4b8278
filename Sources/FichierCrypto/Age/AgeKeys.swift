/// Parsing of recipient strings and identity files in the formats the age tool uses.
public enum AgeKeys {
    /// Parses `age1…` (X25519) or `age1pq1…` (MLKEM768-X25519) recipients.
    public static func recipient(_ text: String) throws -> any AgeRecipient {
        let trimmed = String(text.trimmingWhitespace())
        if trimmed.lowercased().hasPrefix("age1pq1") {
            return try HybridRecipient(parsing: trimmed)
        }
        if trimmed.lowercased().hasPrefix("age1") {
            return try X25519Recipient(parsing: trimmed)
        }
        throw AgeError.invalidKey("unknown recipient type (expected age1…)")
    }

    /// Parses an identity file: one `AGE-SECRET-KEY-1…` or `AGE-SECRET-KEY-PQ-1…` per line,
    /// blank lines and `#` comments ignored. The text is read from secure memory.
    public static func identities(fileContents: SecureBytes) throws -> [any AgeIdentity] {
        var result: [any AgeIdentity] = []
        try fileContents.withUnsafeBytes { raw in
            var lineNumber = 0
            for line in raw.split(separator: 0x0A, omittingEmptySubsequences: false) {
                lineNumber += 1
                var text = line[...]
                if text.last == 0x0D { text = text.dropLast() }
                while let first = text.first, first == 0x20 || first == 0x09 { text = text.dropFirst() }
                while let last = text.last, last == 0x20 || last == 0x09 { text = text.dropLast() }
                if text.isEmpty || text.first == 0x23 { continue }
                let secret = SecureBytes(copying: UnsafeRawBufferPointer(rebasing: text))
                if text.starts(with: Array("AGE-SECRET-KEY-PQ-1".utf8)) {
                    var ascii = [UInt8](text)
                    defer { ascii.wipe() }
                    result.append(try HybridIdentity(parsing: String(decoding: ascii, as: UTF8.self)))
                } else if text.starts(with: Array("AGE-SECRET-KEY-1".utf8)) {
                    result.append(try X25519Identity(parsing: secret))
                } else {
                    throw AgeError.invalidKey("line \(lineNumber) of the identity file is not an age identity")
                }
            }
        }
        guard !result.isEmpty else { throw AgeError.invalidKey("no identities in the identity file") }
        return result
    }
}
