#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

// A file-scope wrapper so `release()` can reach the C call.
private func posixClose(_ descriptor: Int32) -> Int32 { close(descriptor) }

/// The exclusive advisory lock (`flock`) on `DIR/emulator.lock` that an emulator holds while it
/// uses the data directory DIR, so that a second emulator on the same directory (another
/// process: `fichier emulator --data DIR`, `fichier serve --sandbox DIR`; or another `Emulator`
/// in this one) is refused instead of overwriting the first one's saved state.
///
/// The holder writes its pid into the file for the refusal's message. The kernel drops the lock
/// when the descriptor is closed, which also happens when the process dies, SIGKILL included;
/// the file itself stays (removing it would let two processes lock two different files).
///
/// A `flock` belongs to the open file description, which a child shares from `fork` (or
/// `posix_spawn`) until its `exec` closes the `O_CLOEXEC` copy. So a lock this process has just
/// released can stay held for that moment by a child that another thread is starting. The
/// locks this process holds are therefore also kept in a table (by device and inode), and a
/// refusal whose file names this process while the table says free is waited out briefly.
final class DataDirectoryLock: Sendable {
    static let fileName = "emulator.lock"
    /// How long a lock this process released may stay held by a starting child.
    static let inheritedCopyGrace: Duration = .seconds(3)

    /// A lock file's identity, whatever path reached it.
    private struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// The lock files this process holds now.
    private static let heldHere = Mutex<Set<FileIdentity>>([])

    let path: String
    private let identity: FileIdentity
    private let descriptor: Mutex<Int32>

    private init(path: String, identity: FileIdentity, descriptor: Int32) {
        self.path = path
        self.identity = identity
        self.descriptor = Mutex(descriptor)
    }

    /// Takes the lock on `directory` (which must exist) without waiting.
    /// - Throws: `EmulatorError.dataDirectoryInUse` when another holder has it (with its pid
    ///   when it wrote one), `.storage` when the lock file cannot be opened or locked.
    static func acquire(directory: String) throws(EmulatorError) -> DataDirectoryLock {
        let path = directory + "/" + fileName
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw .storage("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            _ = posixClose(descriptor)
            throw .storage("cannot read \(path): \(String(cString: strerror(code)))")
        }
        let identity = FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        // Claimed in the table first, so two emulators of this process never race on the flock.
        guard heldHere.withLock({ $0.insert(identity).inserted }) else {
            _ = posixClose(descriptor)
            throw .dataDirectoryInUse(path: directory, pid: getpid())
        }
        let deadline = ContinuousClock.now + inheritedCopyGrace
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            let holder = code == EWOULDBLOCK ? readPID(descriptor) : nil
            if holder == getpid(), ContinuousClock.now < deadline {
                // Released here, still shared with a child between its fork and exec.
                usleep(2_000)
                continue
            }
            _ = posixClose(descriptor)
            heldHere.withLock { _ = $0.remove(identity) }
            if code == EWOULDBLOCK {
                throw .dataDirectoryInUse(path: directory, pid: holder)
            }
            throw .storage("cannot lock \(path): \(String(cString: strerror(code)))")
        }
        writePID(descriptor)
        return DataDirectoryLock(path: path, identity: identity, descriptor: descriptor)
    }

    /// Releases the lock (closing the descriptor); later calls do nothing.
    func release() {
        let held = descriptor.withLock { value -> Int32 in
            defer { value = -1 }
            return value
        }
        guard held >= 0 else { return }
        _ = posixClose(held)
        Self.heldHere.withLock { _ = $0.remove(identity) }
    }

    deinit { release() }

    /// The pid the holder wrote, if the file holds one.
    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { raw in pread(descriptor, raw.baseAddress, raw.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingSpaces
        guard let pid = Int32(text), pid > 0 else { return nil }
        return pid
    }

    /// Replaces the file's contents with this process's pid (best effort: the lock is what counts).
    private static func writePID(_ descriptor: Int32) {
        guard ftruncate(descriptor, 0) == 0 else { return }
        let bytes = Array("\(getpid())\n".utf8)
        bytes.withUnsafeBytes { raw in
            _ = pwrite(descriptor, raw.baseAddress, raw.count, 0)
        }
    }
}
