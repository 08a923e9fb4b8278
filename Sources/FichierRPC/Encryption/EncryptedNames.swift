import FichierCrypto

/// Remote names of encrypted files, and how listings show them.
///
/// An encrypted upload is stored as `NAME.age`, or, with encrypted names, as the profile's
/// deterministic `NameCipher` name (lowercase base32, no suffix). Only file names are
/// encrypted; folders keep their names. Because the cipher is deterministic, a user's path
/// `/docs/report.pdf` is found by looking up the encrypted name of `report.pdf` in `/docs`.
struct EncryptedNames: Sendable {
    static let suffix = ".age"

    /// Whether names are interpreted at all (a vault exists in this session).
    let active: Bool
    /// The selected profile's name cipher; nil while the vault is locked.
    let cipher: NameCipher?

    /// Plain names, untouched (no vault in the session).
    static let inactive = EncryptedNames(active: false, cipher: nil)

    /// How one remote file name is shown.
    struct View: Sendable, Equatable {
        /// The name for the user: decrypted, or without `.age`; the remote name when it
        /// cannot be decrypted.
        var name: String
        /// The content is (or, by its name, should be) an age file.
        var encrypted: Bool
        /// The name stored on 1fichier, when it differs from `name` or could not be read.
        var remoteName: String?
        /// Why an encrypted name could not be decrypted.
        var decryptError: String?
    }

    /// The name an encrypted upload of `name` is stored under.
    static func remoteName(for name: String, encryptNames: Bool, cipher: NameCipher?) throws(RPCError) -> String {
        guard encryptNames else { return name + suffix }
        guard let cipher else { throw RPCError.vaultLocked("cannot encrypt the file name") }
        do {
            return try cipher.encrypt(name)
        } catch let error as NameCipherError {
            throw RPCError.invalidParams(path: "remote", problem: "cannot encrypt the name \"\(name)\": \(error.description)")
        } catch {
            throw RPCError.from(error, cancelled: false)
        }
    }

    func view(of remote: String) -> View {
        guard active else { return View(name: remote, encrypted: false) }
        if Self.looksEncrypted(remote) {
            guard let cipher else {
                return View(name: remote, encrypted: true, remoteName: remote,
                            decryptError: "the vault is locked: unlock it to read this name")
            }
            if let plain = try? cipher.decrypt(remote) {
                return View(name: plain, encrypted: true, remoteName: remote)
            }
            return View(name: remote, encrypted: true, remoteName: remote,
                        decryptError: "not a name of this vault profile (encrypted with another key, or altered)")
        }
        if remote.hasSuffix(Self.suffix) && remote.utf8.count > Self.suffix.utf8.count {
            return View(name: String(remote.dropLast(Self.suffix.count)), encrypted: true, remoteName: remote)
        }
        return View(name: remote, encrypted: false)
    }

    /// The remote names a user's file name may be stored under, in the order to try: as
    /// given, encrypted (when the cipher is available), with `.age`.
    func candidates(for name: String) -> [String] {
        guard active else { return [name] }
        var names = [name]
        if let cipher, let encrypted = try? cipher.encrypt(name), encrypted != name { names.append(encrypted) }
        names.append(name + Self.suffix)
        return names
    }

    /// The name to store a file under when the user renames it to `name`, keeping the scheme
    /// of its current stored name `current`: encrypted name, `NAME.age`, or plain.
    func storedName(renaming current: String, to name: String) throws(RPCError) -> String {
        guard active else { return name }
        if Self.looksEncrypted(current), let cipher, (try? cipher.decrypt(current)) != nil {
            return try Self.remoteName(for: name, encryptNames: true, cipher: cipher)
        }
        if view(of: current).encrypted && !Self.looksEncrypted(current) && !name.hasSuffix(Self.suffix) {
            return name + Self.suffix
        }
        return name
    }

    /// Whether `name` has the shape of a `NameCipher` name: lowercase base32 (`a–z`, `2–7`)
    /// of 32, 48, … 144 bytes.
    static func looksEncrypted(_ name: String) -> Bool {
        let bytes = name.utf8
        guard encodedLengths.contains(bytes.count) else { return false }
        return bytes.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "2") && $0 <= UInt8(ascii: "7")) }
    }

    /// Base32 lengths of 16 + 16·k bytes (SIV and k ≥ 1 padded blocks), up to the longest name.
    private static let encodedLengths: Set<Int> = {
        var lengths: Set<Int> = []
        var bytes = 32
        while (bytes * 8 + 4) / 5 <= NameCipher.maximumEncodedLength {
            lengths.insert((bytes * 8 + 4) / 5)
            bytes += 16
        }
        return lengths
    }()
}
