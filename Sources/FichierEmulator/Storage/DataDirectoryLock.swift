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
final class DataDirectoryLock: Sendable {
    static let fileName = "emulator.lock"

    let path: String
    private let descriptor: Mutex<Int32>

    private init(path: String, descriptor: Int32) {
        self.path = path
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
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            let holder = code == EWOULDBLOCK ? readPID(descriptor) : nil
            _ = posixClose(descriptor)
            if code == EWOULDBLOCK {
                throw .dataDirectoryInUse(path: directory, pid: holder)
            }
            throw .storage("cannot lock \(path): \(String(cString: strerror(code)))")
        }
        writePID(descriptor)
        return DataDirectoryLock(path: path, descriptor: descriptor)
    }

    /// Releases the lock (closing the descriptor); later calls do nothing.
    func release() {
        let held = descriptor.withLock { value -> Int32 in
            defer { value = -1 }
            return value
        }
        if held >= 0 { _ = posixClose(held) }
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
