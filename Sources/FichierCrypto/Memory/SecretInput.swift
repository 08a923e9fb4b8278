import CSodium
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads secrets (passphrases, API keys, key files) straight into `SecureBytes`, never into a
/// `String`: from an inherited file descriptor, a file, or the terminal with echo off.
public enum SecretInput {
    /// Largest secret accepted from a descriptor or file (as age-plugin-batchpass does).
    public static let maximumLength = 1 << 20

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads a descriptor to its end (at most `maximumLength` bytes), strips exactly one
    /// trailing LF or CRLF, and refuses an empty result. The descriptor is left open.
    public static func read(fileDescriptor fd: Int32, what: String = "passphrase") throws -> SecureBytes {
        let scratch = SecureScratch(capacity: maximumLength + 1)
        var length = 0
        while length < scratch.capacity {
            let n = scratch.withMutableBytes { buffer in
                posixRead(fd, buffer.baseAddress! + length, buffer.count - length)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure("could not read the \(what) from descriptor \(fd): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            length += n
        }
        if length > maximumLength {
            throw Failure("the \(what) from descriptor \(fd) is longer than \(maximumLength) bytes")
        }
        return try finish(scratch, length: length, what: what, origin: "descriptor \(fd)")
    }

    /// Reads a whole file as a secret (same rules as `read(fileDescriptor:)`).
    public static func read(path: String, what: String = "passphrase") throws -> SecureBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw Failure("could not open the \(what) file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        return try read(fileDescriptor: fd, what: what)
    }

    /// Whether a controlling terminal can be opened for a prompt.
    public static var terminalAvailable: Bool {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        if fd < 0 { return false }
        close(fd)
        return true
    }

    /// Prompts on /dev/tty with echo off and reads one line. Refuses an empty answer
    /// unless `allowEmpty`.
    public static func prompt(_ text: String, what: String = "passphrase", allowEmpty: Bool = false) throws -> SecureBytes {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        if fd < 0 {
            throw Failure("no terminal to ask for the \(what) (use a descriptor or a file instead)")
        }
        defer { close(fd) }
        writeAll(fd, text)
        var saved = termios()
        let isTerminal = tcgetattr(fd, &saved) == 0
        if isTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            TerminalRestore.install(fd: fd, saved: saved)
            _ = tcsetattr(fd, TCSANOW, &quiet)
        }
        defer {
            if isTerminal {
                var restore = saved
                _ = tcsetattr(fd, TCSANOW, &restore)
                TerminalRestore.remove()
                writeAll(fd, "\n")
            }
        }
        let scratch = SecureScratch(capacity: 64 * 1024)
        var length = 0
        var byte: UInt8 = 0
        while true {
            let n = posixRead(fd, &byte, 1)
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure("could not read the \(what) from the terminal")
            }
            if n == 0 || byte == 0x0A { break }
            if length == scratch.capacity {
                byte = 0
                throw Failure("the \(what) is too long")
            }
            scratch.withMutableBytes { $0[length] = byte }
            length += 1
        }
        byte = 0
        if length > 0, scratch.withMutableBytes({ $0[length - 1] }) == 0x0D { length -= 1 }
        if length == 0 && !allowEmpty {
            throw Failure("empty \(what)")
        }
        return scratch.copy(length: length)
    }

    private static func finish(_ scratch: SecureScratch, length: Int, what: String, origin: String) throws -> SecureBytes {
        var end = length
        let last = scratch.withMutableBytes { end > 0 ? $0[end - 1] : 0 }
        if last == 0x0A {
            end -= 1
            if end > 0, scratch.withMutableBytes({ $0[end - 1] }) == 0x0D { end -= 1 }
        }
        if end == 0 { throw Failure("the \(what) from \(origin) is empty") }
        return scratch.copy(length: end)
    }

    static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                break
            }
            offset += n
        }
        bytes.removeAll()
    }
}

/// A growable-by-nothing scratch buffer in `sodium_malloc` memory, for reading secrets whose
/// length is not known in advance. Wiped and freed on deinit.
final class SecureScratch {
    let capacity: Int
    private let base: UnsafeMutableRawPointer

    init(capacity: Int) {
        Sodium.ensureInitialized()
        guard let pointer = sodium_malloc(Swift.max(capacity, 1)) else {
            fatalError("sodium_malloc could not allocate \(capacity) bytes")
        }
        sodium_memzero(pointer, Swift.max(capacity, 1))
        self.base = pointer
        self.capacity = capacity
    }

    deinit { sodium_free(base) }

    func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: base, count: capacity))
    }

    func copy(length: Int) -> SecureBytes {
        precondition(length <= capacity)
        return SecureBytes(copying: UnsafeRawBufferPointer(start: base, count: length))
    }
}

/// Restores the terminal's echo if the process is interrupted while a prompt has it off.
private enum TerminalRestore {
    nonisolated(unsafe) static var fd: Int32 = -1
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var previousInt = sigaction()
    nonisolated(unsafe) static var previousTerm = sigaction()

    static func install(fd: Int32, saved: termios) {
        Self.fd = fd
        Self.saved = saved
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { signal in
            if TerminalRestore.fd >= 0 { _ = tcsetattr(TerminalRestore.fd, TCSANOW, &TerminalRestore.saved) }
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
        #endif
        sigemptyset(&action.sa_mask)
        sigaction(SIGINT, &action, &previousInt)
        sigaction(SIGTERM, &action, &previousTerm)
    }

    static func remove() {
        sigaction(SIGINT, &previousInt, nil)
        sigaction(SIGTERM, &previousTerm, nil)
        fd = -1
    }
}
