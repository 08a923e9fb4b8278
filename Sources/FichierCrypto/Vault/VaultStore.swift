import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Steps of a save, for fault-injection tests.
enum VaultSaveStep: CaseIterable, Sendable {
    case tempWritten, tempSynced, verified, backupWritten, renamed
}

/// Files of one vault: `vault`, `vault.bak` (previous generation), `vault.lock`, and
/// `vault.tmp-*` while a save runs. Saves are crash-safe: lock, temp file (O_EXCL, 0600),
/// fsync, read-back verify, backup, rename over the vault, fsync the directory.
struct VaultStore: Sendable {
    let path: String

    var directory: String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().path
    }
    var fileName: String { URL(fileURLWithPath: path).lastPathComponent }
    var backupPath: String { path + ".bak" }
    var lockPath: String { path + ".lock" }
    var tempPrefix: String { fileName + ".tmp-" }

    /// Test hook: milliseconds to sleep after each save step (FICHIER_TEST_VAULT_SAVE_PAUSE_MS),
    /// so crash tests can kill a writer mid-save. Unset in normal use.
    static let pauseBetweenSteps: UInt32 = {
        guard let text = environmentValue("FICHIER_TEST_VAULT_SAVE_PAUSE_MS"),
              let value = UInt32(text), value <= 10_000 else { return 0 }
        return value
    }()

    // MARK: Reading

    /// The bytes of `file`, or nil when it does not exist.
    func read(_ file: String) throws(VaultError) -> [UInt8]? {
        let fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .io("cannot open \(file): \(errnoText())")
        }
        defer { close(fd) }
        var out = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("cannot read \(file): \(errnoText())")
            }
            if n == 0 { break }
            out += buffer[0..<n]
            if out.count > VaultFile.maximumFileSize { throw .corrupt("file larger than \(VaultFile.maximumFileSize) bytes") }
        }
        return out
    }

    /// The current vault, or the backup when the vault file is missing.
    func load() throws(VaultError) -> (file: VaultFile, fromBackup: Bool) {
        if let data = try read(path) {
            return (try VaultFile.parse(data), false)
        }
        if let data = try read(backupPath) {
            return (try VaultFile.parse(data), true)
        }
        throw .notFound(path: path)
    }

    var exists: Bool { access(path, F_OK) == 0 }
    var backupExists: Bool { access(backupPath, F_OK) == 0 }

    // MARK: Locking

    /// Runs `body` holding an exclusive flock on `vault.lock` (waits for other writers).
    func withLock<R>(_ body: () throws -> R) throws -> R {
        try ensureDirectory()
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw VaultError.io("cannot open \(lockPath): \(errnoText())") }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw VaultError.io("cannot lock \(lockPath): \(errnoText())") }
        }
        defer { _ = flock(fd, LOCK_UN) }
        return try body()
    }

    /// Creates the vault's directory (and missing parents) with mode 0700.
    func ensureDirectory() throws(VaultError) {
        var components: [String] = []
        var url = URL(fileURLWithPath: directory)
        while access(url.path, F_OK) != 0 && url.path != "/" {
            components.insert(url.path, at: 0)
            url = url.deletingLastPathComponent()
        }
        for dir in components {
            if mkdir(dir, 0o700) != 0 && errno != EEXIST {
                throw .io("cannot create \(dir): \(errnoText())")
            }
            _ = chmod(dir, 0o700)
        }
    }

    // MARK: Writing (call with the lock held)

    /// Writes `data` as the new vault. `verify` re-reads the temp file's parsed form before
    /// anything is replaced. On failure the old vault and backup are untouched and the temp
    /// file is removed.
    func write(_ data: [UInt8], verify: (VaultFile) throws -> Void, hook: ((VaultSaveStep) throws -> Void)?) throws {
        removeStaleTemporaries()
        let temp = "\(directory)/\(tempPrefix)\(getpid())-\(Hex.encode(AgeRandom.system.bytes(6)))"
        var step: (VaultSaveStep) throws -> Void = { current in
            try hook?(current)
            if Self.pauseBetweenSteps > 0 { usleep(Self.pauseBetweenSteps * 1000) }
        }
        do {
            try writeNew(temp, data)
            try step(.tempWritten)
            try syncFile(temp)
            try step(.tempSynced)
            guard let again = try read(temp), again == data else { throw VaultError.io("read-back of \(temp) differs") }
            try verify(try VaultFile.parse(again))
            try step(.verified)
            if let current = try read(path) {
                let backupTemp = backupPath + ".tmp-\(getpid())"
                unlink(backupTemp)
                do {
                    try writeNew(backupTemp, current)
                    try syncFile(backupTemp)
                    guard rename(backupTemp, backupPath) == 0 else { throw VaultError.io("cannot rename the backup: \(errnoText())") }
                } catch {
                    unlink(backupTemp)
                    throw error
                }
            }
            try step(.backupWritten)
            guard rename(temp, path) == 0 else { throw VaultError.io("cannot rename \(temp) to \(path): \(errnoText())") }
            syncDirectory()
            step = { _ in }
            try hook?(.renamed)
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// Copies `vault.bak` over `vault` (temp file + rename).
    func restoreBackup() throws {
        guard let data = try read(backupPath) else { throw VaultError.notFound(path: backupPath) }
        _ = try VaultFile.parse(data)
        try write(data, verify: { _ in }, hook: nil)
    }

    private func writeNew(_ file: String, _ data: [UInt8]) throws(VaultError) {
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io("cannot create \(file): \(errnoText())") }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw .io("cannot chmod \(file): \(errnoText())") }
        guard writeFully(fd, data) else { throw .io("cannot write \(file): \(errnoText())") }
    }

    private func syncFile(_ file: String) throws(VaultError) {
        let fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw .io("cannot reopen \(file): \(errnoText())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io("fsync of \(file) failed: \(errnoText())") }
    }

    private func syncDirectory() {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }

    /// Temp files left by a writer that died mid-save (only writers holding the lock create
    /// them, and we hold it now).
    private func removeStaleTemporaries() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(tempPrefix) || name.hasPrefix(fileName + ".bak.tmp-") {
            unlink("\(directory)/\(name)")
        }
    }
}
