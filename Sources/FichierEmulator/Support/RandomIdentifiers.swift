/// The random identifiers the service hands out.
enum RandomIdentifiers {
    private static let lowerAlphanumerics = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let mixedAlphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// A file id: 20 characters of `[a-z0-9]`, like recent 1fichier ids.
    static func fileID() -> String { random(20, from: lowerAlphanumerics) }

    /// An upload id (and xid): 10 mixed-case alphanumerics, like `Fhl1aZERQv`.
    static func uploadID() -> String { random(10, from: mixedAlphanumerics) }

    /// An opaque download token.
    static func downloadToken() -> String { random(32, from: mixedAlphanumerics) }

    /// A removal code for an anonymous upload.
    static func removalCode() -> String { random(16, from: mixedAlphanumerics) }

    private static func random(_ count: Int, from alphabet: [UInt8]) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        for _ in 0..<count { bytes.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// True for 1–32 ASCII letters and digits (what the node accepts as an upload id).
    static func isValidUploadID(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.count <= 32 && text.utf8.allSatisfy { mixedAlphanumerics.contains($0) }
    }
}
