/// Constants and size arithmetic of the age v1 format (C2SP age.md).
public enum AgeFormat {
    /// Plaintext bytes per payload chunk.
    public static let chunkSize = 65536
    /// Poly1305 tag bytes per chunk.
    public static let tagSize = 16
    /// Ciphertext bytes of a full chunk.
    public static let encryptedChunkSize = chunkSize + tagSize
    /// The random payload nonce after the header.
    public static let payloadNonceSize = 16
    /// The file key length.
    public static let fileKeySize = 16
    /// Base64 body lines of a stanza are wrapped at this many columns.
    static let columnsPerLine = 64
    /// The version line, with its line feed.
    static let versionLine = Array("age-encryption.org/v1\n".utf8)
    /// The MAC line: "--- " + 43 base64 characters + LF.
    static let macLineLength = 4 + 43 + 1
    /// Armor delimiters (RFC 7468 strict PEM).
    static let armorHeader = "-----BEGIN AGE ENCRYPTED FILE-----"
    static let armorFooter = "-----END AGE ENCRYPTED FILE-----"
    /// Upper bounds the reader enforces on a header before any cryptography.
    static let maximumHeaderSize = 256 * 1024
    static let maximumStanzas = 64

    /// Exact header length (version line, stanzas, MAC line) for these recipients.
    public static func headerSize(recipients: [any AgeRecipient]) -> Int64 {
        Int64(versionLine.count + recipients.reduce(0) { $0 + $1.stanzaLength } + macLineLength)
    }

    /// Exact size of the binary age file for a plaintext of `plaintextSize` bytes:
    /// header + 16-byte nonce + plaintext + 16 bytes per chunk, where an empty plaintext
    /// still has one (empty, final) chunk and k·64 KiB has exactly k chunks.
    public static func encryptedSize(plaintextSize: Int64, recipients: [any AgeRecipient]) -> Int64 {
        precondition(plaintextSize >= 0)
        let chunks = max(1, (plaintextSize + Int64(chunkSize) - 1) / Int64(chunkSize))
        return headerSize(recipients: recipients) + Int64(payloadNonceSize) + plaintextSize + Int64(tagSize) * chunks
    }

    /// Size of the ASCII-armored form of a binary age file of `binarySize` bytes
    /// (PEM lines of 64 columns, every line LF-terminated).
    public static func armoredSize(binarySize: Int64) -> Int64 {
        let text = (binarySize + 2) / 3 * 4
        let lines = (text + Int64(columnsPerLine) - 1) / Int64(columnsPerLine)
        return Int64(armorHeader.utf8.count + 1) + text + lines + Int64(armorFooter.utf8.count + 1)
    }

    /// Plaintext size of a binary age file of `encryptedSize` bytes whose header is
    /// `headerSize` bytes, or nil if no plaintext size gives that length.
    public static func plaintextSize(encryptedSize: Int64, headerSize: Int64) -> Int64? {
        let payload = encryptedSize - headerSize - Int64(payloadNonceSize)
        guard payload >= Int64(tagSize) else { return nil }
        let fullChunks = payload / Int64(encryptedChunkSize)
        let rest = payload % Int64(encryptedChunkSize)
        if rest == 0 { return fullChunks * Int64(chunkSize) }
        guard rest > Int64(tagSize) || (fullChunks == 0 && rest == Int64(tagSize)) else { return nil }
        return fullChunks * Int64(chunkSize) + rest - Int64(tagSize)
    }

    /// Whether `prefix` (the first bytes of a file, at least 34 for armor) starts like an
    /// age file, binary or armored (after optional leading whitespace).
    public static func recognizes(prefix: some Collection<UInt8>) -> Bool {
        let bytes = Array(prefix)
        let binary = Array("age-encryption.org/".utf8)
        if bytes.starts(with: binary) { return true }
        let trimmed = bytes.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
        return trimmed.starts(with: Array(armorHeader.utf8))
    }
}
