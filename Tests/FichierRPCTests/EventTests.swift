import FichierRPC
import Testing

@Suite("Events")
struct EventTests {
    private func progress(_ messages: [Message], of id: Int) -> [[String: Any]] {
        messages.filter { $0.method == "event/progress" && $0.requestID == AnyHashable(id) }.compactMap(\.params)
    }

    @Test func progressIsThrottledMonotonicAndEndsWithTheFinalCount() async throws {
        let server = try PipeServer()
        // 60 chunks of 10 ms: about 0.6 s of reports, one per chunk.
        let sent = ContinuousClock.now
        server.request(1, "debug/transfer", #"{"bytes":6000000,"chunks":60,"intervalMs":10}"#)
        let response = try await server.output.response(1)
        let elapsed = ContinuousClock.now - sent
        #expect(response.result?["bytes"] as? Int == 6_000_000)
        let messages = try server.output.messages()
        let events = progress(messages, of: 1)
        #expect(events.count >= 3)
        // One per 250 ms at most, plus the first and the final one (and slack for rounding).
        let allowed = Int(elapsed / .milliseconds(250)) + 3
        #expect(events.count <= allowed, "\(events.count) progress events in \(elapsed)")
        #expect(events.first?["bytesDone"] as? Int == 0)
        #expect(events.last?["bytesDone"] as? Int == 6_000_000)
        #expect(events.allSatisfy { $0["bytesTotal"] as? Int == 6_000_000 && $0["phase"] as? String == "uploading" })
        let counts = events.compactMap { $0["bytesDone"] as? Int }
        #expect(counts == counts.sorted())
        #expect(events.dropFirst().contains { ($0["rateBps"] as? Int ?? 0) > 0 })
        // All events of a request come before its response.
        let responseIndex = messages.firstIndex { $0.isResponse }!
        #expect(messages[responseIndex...].allSatisfy { $0.method != "event/progress" })
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func heartbeatWhileATransferStalls() async throws {
        let server = try PipeServer { $0.heartbeatInterval = .milliseconds(200) }
        // A 3 s stall holds about fifteen heartbeats; two leave room for a scheduler starved by
        // the other tests of this process on a loaded machine (2 s once gave only one).
        server.request(1, "debug/transfer", #"{"bytes":100,"chunks":2,"intervalMs":1,"stallMs":3000}"#)
        _ = try await server.output.response(1)
        let events = progress(try server.output.messages(), of: 1)
        let beats = events.filter { $0["heartbeat"] as? Bool == true }
        #expect(beats.count >= 2, "\(beats.count) heartbeats in a 3 s stall")
        #expect(beats.allSatisfy { $0["bytesDone"] as? Int == 50 })
        #expect(events.last?["bytesDone"] as? Int == 100)
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func progressCanBeTurnedOff() async throws {
        let server = try PipeServer()
        server.request(1, "initialize", #"{"capabilities":{"events":{"progress":false}}}"#)
        server.request(2, "debug/transfer", #"{"bytes":100,"chunks":3,"intervalMs":5}"#)
        _ = try await server.output.response(2)
        #expect(try server.output.messages().allSatisfy { $0.method != "event/progress" })
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func logEventsOnlyWhenAsked() async throws {
        let server = try PipeServer()
        server.request(1, "debug/transfer", #"{"bytes":10,"chunks":1,"intervalMs":1}"#)
        _ = try await server.output.response(1)
        #expect(try server.output.messages().allSatisfy { $0.method != "event/log" })
        server.request(2, "logging/setLevel", #"{"level":"info"}"#)
        server.request(3, "debug/transfer", #"{"bytes":10,"chunks":1,"intervalMs":1}"#)
        _ = try await server.output.response(3)
        let logs = try server.output.messages().filter { $0.method == "event/log" }
        #expect(logs.count == 1)
        #expect(logs.first?.params?["level"] as? String == "info")
        #expect(logs.first?.requestID == AnyHashable(3))
        server.request(4, "logging/setLevel", #"{"level":"warning"}"#)
        server.request(5, "debug/transfer", #"{"bytes":10,"chunks":1,"intervalMs":1}"#)
        _ = try await server.output.response(5)
        #expect(try server.output.messages().filter { $0.method == "event/log" }.count == 1)
        server.request(6, "initialize", #"{"capabilities":{"events":{"log":"debug"}}}"#)
        server.request(7, "debug/transfer", #"{"bytes":10,"chunks":1,"intervalMs":1}"#)
        _ = try await server.output.response(7)
        #expect(try server.output.messages().filter { $0.method == "event/log" }.count == 2)
        server.closeInput()
        _ = try await server.exitStatus()
    }
}
