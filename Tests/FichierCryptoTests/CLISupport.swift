import Foundation
import Testing
@testable import FichierCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `fichier` binary (a sibling of the test bundle) in an isolated HOME.
struct FichierCLI {
    let home: URL
    let vaultPath: String
    var extraEnvironment: [String: String] = [:]

    static var binary: String {
        if let override = ProcessInfo.processInfo.environment["FICHIER_BINARY"] { return override }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The bundle may be a directory (…/fichierPackageTests.xctest/…) on some layouts.
        while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("fichier").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("fichier").path
    }

    init(home: URL) {
        self.home = home
        self.vaultPath = home.appendingPathComponent("config/fichier/vault").path
    }

    var environment: [String: String] {
        var env = ["HOME": home.path, "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
                   "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8",
                   // A crash under a tight RLIMIT_AS must fail fast, not wait in the backtracer.
                   "SWIFT_BACKTRACE": "enable=no"]
        for (key, value) in extraEnvironment { env[key] = value }
        return env
    }

    @discardableResult
    func run(_ arguments: [String], stdin: [UInt8]? = nil, environment extra: [String: String] = [:]) throws -> TestProcess.Result {
        var env = environment
        for (key, value) in extra { env[key] = value }
        return try TestProcess.run(Self.binary, arguments, stdin: stdin, environment: env, workingDirectory: home)
    }

    /// Runs the command on a pseudo-terminal (Python's pty module): waits for each prompt
    /// (output ending in ": ") before typing the next line of `typed`, like a person would, so
    /// the terminal's echo setting at that moment is what the output shows.
    @discardableResult
    func runWithTerminal(_ arguments: [String], typed: String, environment extra: [String: String] = [:]) throws -> TestProcess.Result {
        var env = environment
        for (key, value) in extra { env[key] = value }
        return try Self.runOnTerminal([Self.binary] + arguments, typed: typed, environment: env, workingDirectory: home)
    }

    static func runOnTerminal(_ command: [String], typed: String, environment: [String: String]? = nil,
                              workingDirectory: URL? = nil) throws -> TestProcess.Result {
        let python = TestProcess.which("python3") ?? "/usr/bin/python3"
        let driver = """
            import os, pty, sys, time, select
            lines = sys.stdin.read().split("\\n")[:-1]
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], sys.argv[1:])
            out = b""
            def pump(deadline):
                global out
                while time.time() < deadline:
                    r, _, _ = select.select([fd], [], [], 0.05)
                    if r:
                        try:
                            data = os.read(fd, 4096)
                        except OSError:
                            return False
                        if not data:
                            return False
                        out += data
                        return True
                return True
            seen = 0
            for line in lines:
                deadline = time.time() + 20
                while out.find(b": ", seen) < 0 and time.time() < deadline:
                    if not pump(deadline):
                        break
                seen = out.find(b": ", seen) + 2
                time.sleep(0.05)
                os.write(fd, line.encode() + b"\\n")
            while pump(time.time() + 30):
                pass
            _, status = os.waitpid(pid, 0)
            sys.stdout.buffer.write(out)
            sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
            """
        return try TestProcess.run(python, ["-c", driver] + command, stdin: Array(typed.utf8),
                                   environment: environment, workingDirectory: workingDirectory)
    }

    static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        let url = home.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        chmod(url.path, mode_t(mode))
        return url.path
    }
}

/// A deterministic pseudo-random byte stream, generated block by block on both sides of a
/// pipe so gigabytes can be checked without storing them.
enum PatternStream {
    static let blockSize = 1 << 20

    static func fill(block index: Int, into buffer: UnsafeMutableRawBufferPointer) {
        var seed = [UInt8](repeating: 0x5A, count: 32)
        for i in 0..<8 { seed[i] = UInt8(truncatingIfNeeded: index >> (8 * i)) }
        AgeRandom.deterministic(seed: seed).fill(buffer)
    }
}

/// Processes started with posix_spawn so the test can `wait4` them and read their peak RSS.
final class Spawned: @unchecked Sendable {
    let pid: pid_t

    /// Starts `path` with the given descriptors as its stdin/stdout/stderr.
    init(_ path: String, _ arguments: [String], stdin: Int32, stdout: Int32, stderr: Int32, environment: [String: String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, path, &actions, nil, argv, envp)
        guard status == 0 else { throw CocoaError(.executableLoad) }
        pid = child
    }

    private let sampleLock = NSLock()
    private var highWater = 0
    private var sampling = false

    /// Samples VmHWM from /proc every 20 ms until the process exits. (wait4's ru_maxrss is
    /// useless here: a posix_spawn child inherits the parent's high-water mark at exec.)
    func startSampling() {
        sampling = true
        let thread = Thread { [self] in
            while true {
                guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                      let kib = Int(line.filter(\.isNumber)) else { return }
                sampleLock.lock()
                highWater = max(highWater, kib * 1024)
                sampleLock.unlock()
                usleep(20_000)
            }
        }
        thread.start()
    }

    /// Waits for exit; returns the exit status and the sampled peak resident set size in bytes.
    func wait() -> (status: Int32, maxRSS: Int) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        sampleLock.lock(); defer { sampleLock.unlock() }
        return (exitStatus, highWater)
    }
}

func makePipe() -> (read: Int32, write: Int32) {
    var fds: [Int32] = [0, 0]
    _ = pipe(&fds)
    // Close-on-exec: only the dup2'ed copies may reach a child, or EOF never arrives.
    _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
    return (fds[0], fds[1])
}
