import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `fichier serve` binary, spawned with real pipes.
@Suite("fichier serve process")
struct ServeProcessTests {
    /// Every byte on stdout belongs to a JSON-RPC 2.0 message line.
    private func expectProtocolClean(_ serve: ServeProcess) throws {
        let bytes = serve.output.bytes
        #expect(bytes.last == 0x0A, "stdout must end with a complete line")
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            let text = String(decoding: line, as: UTF8.self)
            let message = try Message(line: text)
            #expect(message.object["jsonrpc"] as? String == "2.0", "\(text)")
            #expect(message.isResponse || (message.method?.hasPrefix("event/") ?? false), "\(text)")
            #expect(!text.contains("\r"))
        }
    }

    @Test func strayPrintsNeverReachStdout() async throws {
        let serve = try ServeProcess()
        serve.request(1, "initialize", #"{"protocolVersions":[1]}"#)
        serve.request(2, "debug/print", #"{"text":"STRAY-OUTPUT {\"jsonrpc\":\"2.0\"} not protocol"}"#)
        serve.request(3, "debug/transfer", #"{"bytes":1000,"chunks":5,"intervalMs":5}"#)
        serve.send("garbage line")
        serve.request(4, "ping")
        _ = try await serve.output.response(4)
        _ = try await serve.output.response(3)
        serve.closeInput()
        #expect(try await serve.exitStatus() == 0)
        try expectProtocolClean(serve)
        #expect(!String(decoding: serve.output.bytes, as: UTF8.self).contains("STRAY-OUTPUT"))
        try await serve.errorOutput.waitForEnd()
        #expect(serve.errorOutput.all.contains { $0.contains("STRAY-OUTPUT") })
    }

    @Test func pipelinedRequestsThroughTheBinary() async throws {
        let serve = try ServeProcess()
        var batch = ""
        for id in 0..<200 { batch += #"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"# + "\n" }
        serve.sendRaw(Array(batch.utf8))
        let messages = try await serve.output.wait { $0.count >= 200 }
        serve.closeInput()
        #expect(try await serve.exitStatus() == 0)
        #expect(try serve.output.messages().count == 200)
        #expect(Set(messages.compactMap { $0.id as? Int }) == Set(0..<200))
        try expectProtocolClean(serve)
    }

    @Test func endOfInputMidRequestFlushesAndExitsZero() async throws {
        let serve = try ServeProcess()
        serve.request(1, "debug/transfer", #"{"bytes":1000000,"chunks":1000,"intervalMs":10}"#)
        serve.request(2, "debug/sleep", #"{"ms":10000}"#)
        _ = try await serve.output.wait { list in list.contains { $0.method == "event/progress" } }
        serve.closeInput()
        #expect(try await serve.exitStatus(timeout: .seconds(15)) == 0)
        let responses = try serve.output.messages().filter(\.isResponse)
        #expect(responses.count == 2)
        #expect(responses.allSatisfy { $0.errorCode == -32800 })
        try expectProtocolClean(serve)
    }

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func signalsBehaveLikeEndOfInputAndASecondOneExitsAtOnce(signal: Int32, immediate: Int32) async throws {
        let serve = try ServeProcess()
        serve.request(1, "debug/sleep", #"{"ms":10000}"#)
        serve.request(2, "ping")
        _ = try await serve.output.response(2)
        serve.signal(signal)
        #expect(try await serve.exitStatus(timeout: .seconds(15)) == 0)
        #expect(try await serve.output.response(1).errorCode == -32800)
        try expectProtocolClean(serve)

        let stubborn = try ServeProcess()
        stubborn.request(1, "debug/sleep", #"{"ms":20000,"ignoreCancel":true}"#)
        stubborn.request(2, "ping")
        _ = try await stubborn.output.response(2)
        stubborn.signal(signal)
        try await Task.sleep(for: .milliseconds(200))
        #expect(stubborn.process.isRunning)  // waiting for the handler within the grace period
        stubborn.signal(signal)
        #expect(try await stubborn.exitStatus(timeout: .seconds(15)) == immediate)
    }

    /// A process standing in for the host (an editor that will crash).
    private func standInHost() throws -> Process {
        let host = Process()
        host.executableURL = URL(fileURLWithPath: "/bin/sleep")
        host.arguments = ["60"]
        try host.run()
        return host
    }

    @Test(arguments: ["option", "initialize"])
    func theServerEndsWhenTheProcessDrivingItExits(namedBy: String) async throws {
        let host = try standInHost()
        let pid = host.processIdentifier
        let serve = try ServeProcess(["--debug-methods", "--parent-poll-ms", "100"]
                                     + (namedBy == "option" ? ["--parent-pid", "\(pid)"] : []))
        if namedBy == "initialize" {
            serve.request(1, "initialize", #"{"protocolVersions":[1],"processId":\#(pid)}"#)
            #expect(try await serve.output.response(1).isResponse)
        }
        // Stdin stays open: only the host's exit can end the server.
        serve.request(2, "debug/sleep", #"{"ms":20000}"#)
        serve.request(3, "ping")
        _ = try await serve.output.response(3)
        // SIGKILL: children of Foundation's Process start with signals blocked. Waiting by
        // polling keeps the cooperative threads free.
        kill(pid, SIGKILL)
        while host.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await serve.exitStatus(timeout: .seconds(10)) == 0)
        #expect(try await serve.output.response(2).errorCode == -32800)
        try expectProtocolClean(serve)
    }

    @Test func initializeRefusesAProcessIdThatDoesNotRun() async throws {
        let serve = try ServeProcess()
        serve.request(1, "initialize", #"{"protocolVersions":[1],"processId":2147483000}"#)
        let refused = try await serve.output.response(1)
        #expect(refused.errorCode == -32602)
        #expect((refused.errorData?["errors"] as? [[String: Any]])?.first?["path"] as? String == "processId")
        serve.request(2, "ping")
        #expect(try await serve.output.response(2).result != nil)
        serve.closeInput()
        #expect(try await serve.exitStatus() == 0)
    }

    @Test func closedOutputEndsTheServer() async throws {
        // A client that goes away without closing our stdin: its end of our stdout is closed.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ServeProcess.binaryPath())
        process.arguments = ["serve", "--debug-methods"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        try stdout.fileHandleForReading.close()
        let line = Data(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8 + [0x0A])
        try stdin.fileHandleForWriting.write(contentsOf: Data(#"{"jsonrpc":"2.0","id":0,"method":"debug/sleep","params":{"ms":10000}}"#.utf8 + [0x0A]))
        let deadline = ContinuousClock.now + .seconds(15)
        while process.isRunning && ContinuousClock.now < deadline {
            try? stdin.fileHandleForWriting.write(contentsOf: line)
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!process.isRunning, "EPIPE on stdout must end the server")
        if process.isRunning { process.terminate() }
        #expect(process.terminationStatus == 0)
        try? stdin.fileHandleForWriting.close()
    }

    @Test func optionsAreValidatedAndAdvertised() async throws {
        let serve = try ServeProcess(["--max-transfers", "2", "--max-line-bytes", "4096", "--max-in-flight", "8"])
        serve.request(1, "initialize")
        serve.request(2, "debug/sleep", #"{"ms":1}"#)
        let limits = try #require(try await serve.output.response(1).result?["limits"] as? [String: Any])
        #expect(limits["maxTransfers"] as? Int == 2)
        #expect(limits["maxLineBytes"] as? Int == 4096)
        #expect(limits["maxInFlight"] as? Int == 8)
        #expect(try await serve.output.response(2).errorCode == -32601)  // no --debug-methods
        serve.closeInput()
        #expect(try await serve.exitStatus() == 0)

        let invalid = try ServeProcess(["--max-transfers", "0"])
        #expect(try await invalid.exitStatus() != 0)
        #expect(invalid.output.bytes.isEmpty)
    }
}
