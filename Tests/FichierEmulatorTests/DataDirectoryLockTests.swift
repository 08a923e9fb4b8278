import Foundation
import Testing
@testable import FichierEmulator
#if canImport(Glibc)
import Glibc
#endif

/// One emulator per data directory: a second one (in this process, or another process) is
/// refused with a typed error instead of overwriting the first one's saved state, and the lock
/// goes away with its holder, even one killed with SIGKILL.
@Suite struct DataDirectoryLockTests {
    @Test func aSecondEmulatorOnTheSameDirectoryIsRefusedUntilTheFirstStops() async throws {
        let directory = try EmulatorHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = EmulatorHarness.configuration { $0.dataDirectory = directory.path }
        let first = Emulator(configuration)
        try await first.start()
        let folder = try #require(try await first.ok("folder/mkdir.cgi", #"{"name":"first"}"#)["folder_id"] as? Int)

        let second = Emulator(configuration)
        do {
            try await second.start()
            Issue.record("the second emulator started on a directory in use")
            await second.stop()
        } catch EmulatorError.dataDirectoryInUse(let path, let pid) {
            #expect(path == directory.path)
            #expect(pid == getpid())
            let message = "\(EmulatorError.dataDirectoryInUse(path: path, pid: pid))"
            #expect(message.contains(directory.path) && message.contains("pid \(getpid())"), "\(message)")
        }
        // The refused one touched nothing: the first still serves its state.
        #expect(try await first.ok("folder/ls.cgi", "{\"folder_id\":\(folder)}")["name"] as? String == "first")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("emulator.lock").path))
        await first.stop()

        // Released at stop: the same (refused) emulator now starts and sees the first's data.
        try await second.start()
        #expect(try await second.ok("folder/ls.cgi", "{\"folder_id\":\(folder)}")["name"] as? String == "first")
        await second.stop()
    }

    @Test func aTemporaryDirectoryIsLockedToo() async throws {
        let emulator = Emulator(EmulatorHarness.configuration())
        try await emulator.start()
        let intruder = Emulator(EmulatorHarness.configuration { $0.dataDirectory = emulator.dataDirectoryPath })
        await #expect(throws: EmulatorError.self) { try await intruder.start() }
        #expect(FileManager.default.fileExists(atPath: emulator.dataDirectoryPath + "/emulator.lock"))
        await emulator.stop()
        #expect(!FileManager.default.fileExists(atPath: emulator.dataDirectoryPath))
    }

    /// A child forked while the lock was held shares it until it execs or exits. A lock released
    /// here in that moment is taken again once the child lets go, instead of being refused as in
    /// use "by pid <this process>" (what a test starting `curl` on another thread once caused).
    @Test func aReleasedLockHeldByAStartingChildIsWaitedFor() throws {
        let directory = try EmulatorHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try DataDirectoryLock.acquire(directory: directory.path)
        let child = fork()
        if child == 0 {
            // Only async-signal-safe calls here: hold the inherited copy a moment, then go.
            usleep(300_000)
            _exit(0)
        }
        #expect(child > 0)
        defer { var status: Int32 = 0; _ = waitpid(child, &status, 0) }
        first.release()
        let started = ContinuousClock.now
        let second = try DataDirectoryLock.acquire(directory: directory.path)
        let waited = ContinuousClock.now - started
        #expect(waited > .milliseconds(100), "the child still held the lock; acquired after \(waited)")
        // Held here now: a third claim is refused at once, naming this process.
        #expect(throws: EmulatorError.self) { try DataDirectoryLock.acquire(directory: directory.path) }
        second.release()
        try DataDirectoryLock.acquire(directory: directory.path).release()
    }

    /// Two real `fichier emulator --data DIR` processes: the second exits 2 naming the
    /// directory and the first one's pid; after the first is killed with SIGKILL (no cleanup at
    /// all), a new one starts on the directory and has the first one's saved state.
    @Test func twoProcessesAndAKilledHolder() async throws {
        let directory = try EmulatorHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        let key = EmulatorHarness.key
        let first = try await EmulatorProcess.launch(["--port", "0", "--data", data, "--key", key])
        let made = try await first.call("folder/mkdir.cgi", #"{"name":"kept"}"#, key: key).json()
        let folder = try #require(made["folder_id"] as? Int)

        let refused = try await Self.run(["emulator", "--port", "0", "--data", data, "--key", key])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("the data directory \(data) is in use"), "\(refused.stderr)")
        #expect(refused.stderr.contains("pid \(first.pid)"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("listening on"))

        // The state is saved within moments of a change; give it that moment, then kill.
        let statePath = data + "/state.json"
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: statePath, encoding: .utf8), text.contains("kept") { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(await first.terminate(signal: SIGKILL) != 0)

        let next = try await EmulatorProcess.launch(["--port", "0", "--data", data, "--key", key])
        let listing = try await next.call("folder/ls.cgi", "{\"folder_id\":\(folder)}", key: key).json()
        #expect(listing["name"] as? String == "kept")
        #expect(await next.terminate() == 0)
    }

    /// Runs `fichier ARGUMENTS` to its end (at most 60 s) and returns its status and stderr.
    static func run(_ arguments: [String]) async throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = try EmulatorProcess.executable()
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<1_200 where process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        let stillRunning = process.isRunning
        if stillRunning { process.terminate() }
        // The pipe ends with the process (the text is small: it cannot fill the pipe).
        let text = String(decoding: try await offThread { errors.fileHandleForReading.readDataToEndOfFile() }, as: UTF8.self)
        if stillRunning { throw Curl.CurlError("fichier \(arguments) did not exit: \(text)") }
        return (process.terminationStatus, text)
    }
}
