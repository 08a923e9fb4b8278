import FichierRPC
import Testing

/// Framing and malformed input, against an in-process server over real pipes.
@Suite("Framing and malformed input")
struct FramingTests {
    @Test func pipelinedRequestsAreAllAnsweredExactlyOnce() async throws {
        let server = try PipeServer { $0.maxInFlight = 256 }
        var batch = ""
        for id in 0..<200 {
            batch += id % 2 == 0
                ? #"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"# + "\n"
                : #"{"jsonrpc":"2.0","id":\#(id),"method":"debug/echo","params":{"number":\#(id)}}"# + "\n"
        }
        server.sendRaw(Array(batch.utf8))  // written at once, without waiting
        let messages = try await server.output.wait(timeout: .seconds(20), "200 responses") { $0.count >= 200 }
        try await Task.sleep(for: .milliseconds(50))
        let all = try server.output.messages()
        #expect(all.count == 200)
        var seen = Set<Int>()
        for message in messages {
            let id = try #require(message.id as? Int)
            #expect(seen.insert(id).inserted, "id \(id) answered twice")
            #expect(message.error == nil, "\(message)")
            if id % 2 == 1 { #expect(message.int("number", in: message.result) == id) }
        }
        #expect(seen == Set(0..<200))
        server.closeInput()
        #expect(try await server.exitStatus() == 0)
    }

    /// Each malformed line gets its error, and the next request still works.
    @Test(arguments: [
        ("not json", -32700, "parse_error", false),
        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":", -32700, "parse_error", false),
        ("[1,2,3]", -32600, "batch_unsupported", false),
        ("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", -32600, "batch_unsupported", false),
        ("\"just a string\"", -32600, "not_a_request", false),
        ("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}", -32600, "invalid_id", false),
        ("{\"jsonrpc\":\"2.0\",\"id\":2.5,\"method\":\"ping\"}", -32600, "invalid_id", false),
        ("{\"jsonrpc\":\"2.0\",\"id\":9}", -32600, "missing_method", true),
        ("{\"id\":9,\"method\":\"ping\"}", -32600, "invalid_version_field", true),
        ("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\",\"params\":[1]}", -32602, "invalid_params", true),
        ("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\",\"params\":5}", -32600, "invalid_params_type", true),
        ("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"no/such\"}", -32601, "method_not_found", true),
        ("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"debug/sleep\",\"params\":{}}", -32602, "invalid_params", true),
    ])
    func malformedLineThenWorkingRequest(line: String, code: Int, kind: String, keepsID: Bool) async throws {
        let server = try PipeServer()
        server.send(line)
        server.request(100, "ping")
        let messages = try await server.output.wait { $0.contains { $0.id == AnyHashable(100) } }
        #expect(messages.count == 2)
        let error = messages[0]
        #expect(error.errorCode == code)
        #expect(error.errorKind == kind)
        #expect(error.errorData?["retryable"] as? Bool == false)
        if keepsID { #expect(error.id == AnyHashable(9)) } else { #expect(error.hasNullID) }
        #expect(messages[1].result != nil)
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func invalidUTF8IsAParseError() async throws {
        let server = try PipeServer()
        server.sendRaw(Array(#"{"jsonrpc":"2.0","id":1,"method":"debug/echo","params":{"text":""#.utf8) + [0xC3, 0x28]
                       + Array("\"}}\n".utf8))
        server.request(2, "ping")
        let messages = try await server.output.wait { $0.count >= 2 }
        #expect(messages[0].errorCode == -32700)
        #expect(messages[0].hasNullID)
        #expect(messages[1].id == AnyHashable(2))
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func badParamsNameTheOffendingField() async throws {
        let server = try PipeServer()
        server.request(1, "debug/transfer", #"{"bytes":10,"chunks":"two","intervalMs":1}"#)
        server.request(2, "debug/transfer", #"{"bytes":10,"intervalMs":1}"#)
        server.request(3, "shutdown", #"{"mode":"later"}"#)
        server.request(4, "initialize", #"{"capabilities":{"events":{"log":"loud"}}}"#)
        server.request(5, "debug/echo", #"{"text":"ok","unknown":{"fields":["are","ignored"]}}"#)
        let first = try await server.output.response(1)
        #expect(first.errorCode == -32602)
        let problems = try #require(first.errorData?["errors"] as? [[String: Any]])
        #expect(problems.first?["path"] as? String == "chunks")
        #expect(problems.first?["problem"] as? String == "expected an integer")
        let second = try await server.output.response(2)
        #expect((second.errorData?["errors"] as? [[String: Any]])?.first?["path"] as? String == "chunks")
        #expect((second.errorData?["errors"] as? [[String: Any]])?.first?["problem"] as? String == "missing required field")
        let third = try await server.output.response(3)
        #expect((third.errorData?["errors"] as? [[String: Any]])?.first?["path"] as? String == "mode")
        let fourth = try await server.output.response(4)
        #expect((fourth.errorData?["errors"] as? [[String: Any]])?.first?["path"] as? String == "capabilities.events.log")
        let fifth = try await server.output.response(5)
        #expect(fifth.result?["text"] as? String == "ok")
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func blankLinesAndCRLFAreAccepted() async throws {
        let server = try PipeServer()
        server.sendRaw(Array("\n\r\n   \n\t\r\n".utf8))
        server.sendRaw(Array(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8) + [0x0D, 0x0A])
        server.request(2, "ping")
        let messages = try await server.output.wait { $0.count >= 2 }
        #expect(messages.map(\.id) == [AnyHashable(1), AnyHashable(2)])
        #expect(messages.allSatisfy { $0.result != nil })
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func overlongLinesAreRejectedAndSkipped() async throws {
        let server = try PipeServer { $0.maxLineBytes = 1024 }
        // With a readable id, written in pieces so the reader sees it incomplete first.
        server.sendRaw(Array(#"{"jsonrpc":"2.0","id":"big","method":"debug/echo","params":{"text":""#.utf8))
        for _ in 0..<8 { server.sendRaw([UInt8](repeating: UInt8(ascii: "a"), count: 4096)) }
        server.sendRaw(Array("\"}}\n".utf8))
        // Without a readable id, in one piece.
        server.send(#"{"jsonrpc":"2.0","method":"debug/echo","params":{"text":""# + String(repeating: "b", count: 5000) + #""},"id":3}"#)
        // Exactly at the limit is accepted.
        let prefix = #"{"jsonrpc":"2.0","id":4,"method":"debug/echo","params":{"text":""#
        let suffix = #""}}"#
        server.send(prefix + String(repeating: "c", count: 1024 - prefix.utf8.count - suffix.utf8.count) + suffix)
        server.request(5, "ping")
        let messages = try await server.output.wait { $0.count >= 4 }
        #expect(messages.count == 4)
        #expect(messages[0].id == AnyHashable("big"))
        #expect(messages[0].errorCode == -32600)
        #expect(messages[0].errorKind == "line_too_long")
        #expect(messages[1].hasNullID)
        #expect(messages[1].errorKind == "line_too_long")
        let atLimit = try await server.output.response(4)
        #expect((atLimit.result?["text"] as? String)?.count == 1024 - prefix.utf8.count - suffix.utf8.count)
        #expect(try await server.output.response(5).result != nil)
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func notificationsAreNeverAnswered() async throws {
        let server = try PipeServer()
        server.send(#"{"jsonrpc":"2.0","method":"ping"}"#)
        server.send(#"{"jsonrpc":"2.0","method":"something/unknown","params":{"x":1}}"#)
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":12345}}"#)
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel"}"#)
        server.request(1, "ping")
        let messages = try await server.output.wait { list in list.contains { $0.id == AnyHashable(1) } }
        try await Task.sleep(for: .milliseconds(50))
        #expect(messages.count == 1)
        #expect(try server.output.messages().count == 1)
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func aPartialFinalLineIsNotProcessed() async throws {
        let server = try PipeServer()
        server.request(1, "ping")
        server.sendRaw(Array(#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#.utf8))  // no LF
        server.closeInput()
        #expect(try await server.exitStatus() == 0)
        let messages = try server.output.messages()
        #expect(messages.map(\.id) == [AnyHashable(1)])
    }
}
