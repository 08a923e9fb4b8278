import FichierRPC
import Testing

/// Concurrency, cancellation, queueing, ordering, lifecycle and events, against an
/// in-process server over real pipes.
///
/// No test relies on a sleep being long enough: requests that must still be running are
/// long (seconds, ended by a cancel), and "the server has taken these requests in" is
/// established with a `ping` barrier (lines are admitted in order on the reader thread, and a
/// ping is answered in arrival order).
@Suite("Dispatcher and lifecycle")
struct DispatchTests {
    /// Waits until every line sent so far has been admitted.
    static func barrier(_ server: PipeServer, id: String) async throws {
        server.send(#"{"jsonrpc":"2.0","id":"\#(id)","method":"ping"}"#)
        _ = try await server.output.response(AnyHashable(id))
    }

    @Test func cancelRunningRequestAnswersCancelledWithPartial() async throws {
        let server = try PipeServer()
        server.request(1, "debug/sleep", #"{"ms":10000}"#)
        server.request(2, "debug/sleep", #"{"ms":10000}"#)
        server.request(3, "debug/sleep", #"{"ms":10000}"#)
        try await Self.barrier(server, id: "b")
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":1}}"#)
        server.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":2}}"#)
        server.send(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3,"reason":"user"}}"#)
        for id in 1...3 {
            let response = try await server.output.response(id, timeout: .seconds(15))
            #expect(response.errorCode == -32800)
            #expect(response.errorKind == "cancelled")
            // The handler reports how long it slept (when it had started before the cancel).
            if let partial = response.errorData?["partial"] as? [String: Any] {
                #expect((partial["sleptMs"] as? Int ?? -1) >= 0)
            }
        }
        server.closeInput()
        #expect(try await server.exitStatus() == 0)
        #expect(try server.output.messages().count == 4)  // the three, and the barrier's ping
    }

    @Test func cancelOfFinishedOrUnknownRequestIsIgnored() async throws {
        let server = try PipeServer()
        server.request(1, "debug/sleep", #"{"ms":1}"#)
        _ = try await server.output.response(1)
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":1}}"#)
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":"never-sent"}}"#)
        server.request(2, "ping")
        _ = try await server.output.response(2)
        try await Task.sleep(for: .milliseconds(50))
        let messages = try server.output.messages()
        #expect(messages.count == 2)
        #expect(messages[0].result?["sleptMs"] as? Int == 1)
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func overMaxInFlightIsBusy() async throws {
        let server = try PipeServer { $0.maxInFlight = 2 }
        server.request(1, "debug/sleep", #"{"ms":20000}"#)
        server.request(2, "debug/sleep", #"{"ms":20000}"#)
        server.request(3, "debug/sleep", #"{"ms":1}"#)
        server.request(4, "ping")  // session methods are not counted
        let busy = try await server.output.response(3)
        #expect(busy.errorCode == 1004)
        #expect(busy.errorKind == "busy")
        #expect(busy.errorData?["retryable"] as? Bool == true)
        #expect(try await server.output.response(4).result != nil)
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":1}}"#)
        #expect(try await server.output.response(1).errorCode == -32800)
        server.request(5, "debug/sleep", #"{"ms":1}"#)  // room again
        #expect(try await server.output.response(5).result != nil)
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func duplicateIDOfARunningRequestIsRejected() async throws {
        let server = try PipeServer()
        server.send(#"{"jsonrpc":"2.0","id":"d","method":"debug/sleep","params":{"ms":20000}}"#)
        server.send(#"{"jsonrpc":"2.0","id":"d","method":"ping"}"#)
        let first = try await server.output.wait { $0.count >= 1 }
        #expect(first[0].errorCode == -32600)
        #expect(first[0].errorKind == "duplicate_id")
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":"d"}}"#)
        let messages = try await server.output.wait { $0.count >= 2 }
        #expect(messages[1].errorCode == -32800)
        server.send(#"{"jsonrpc":"2.0","id":"d","method":"ping"}"#)  // finished: the id is free again
        let again = try await server.output.wait { $0.count >= 3 }
        #expect(again[2].result != nil)
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func transfersBeyondTheLimitQueueInArrivalOrder() async throws {
        let server = try PipeServer { $0.maxTransfers = 2 }
        // 1 and 2 run until cancelled, so 3, 4 and 5 surely arrive while both slots are taken.
        for id in 1...5 {
            let interval = id <= 2 ? 20_000 : 40
            server.request(id, "debug/transfer", #"{"bytes":1000,"chunks":2,"intervalMs":\#(interval)}"#)
        }
        _ = try await server.output.wait(timeout: .seconds(10), "5 queued") { list in
            list.contains { $0.method == "event/job" && $0.requestID == AnyHashable(5) }
        }
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":1}}"#)
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":2}}"#)
        let messages = try await server.output.wait(timeout: .seconds(10), "5 transfers") { list in
            list.filter(\.isResponse).count == 5
        }
        let jobs = messages.filter { $0.method == "event/job" }.map { ($0.requestID as? Int ?? 0, $0.params?["state"] as? String ?? "") }
        let started = jobs.filter { $0.1 == "started" }.map(\.0)
        let queued = jobs.filter { $0.1 == "queued" }.map(\.0)
        #expect(started == [1, 2, 3, 4, 5])
        #expect(queued == [3, 4, 5])
        // Never more than two running: a transfer starts only after an earlier one answered.
        var running = 0
        var peak = 0
        for message in messages {
            if message.method == "event/job", message.params?["state"] as? String == "started" { running += 1 }
            if message.isResponse { running -= 1 }
            peak = max(peak, running)
        }
        #expect(peak == 2)
        for id in 3...5 {
            let queuedAt = messages.firstIndex { $0.method == "event/job" && $0.requestID == AnyHashable(id) }!
            let startedAt = messages.lastIndex { $0.method == "event/job" && $0.requestID == AnyHashable(id) }!
            #expect(queuedAt < startedAt)
        }
        let responses = messages.filter(\.isResponse)
        #expect(responses.filter { $0.errorCode == -32800 }.compactMap { $0.id as? Int }.sorted() == [1, 2])
        #expect(responses.filter { $0.result != nil }.compactMap { $0.id as? Int }.sorted() == [3, 4, 5])
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func samePathKeepsArrivalOrderOthersRunInParallel() async throws {
        let server = try PipeServer()
        server.request(1, "debug/sleep", #"{"ms":20000,"key":"/docs/a.txt"}"#)
        server.request(2, "debug/sleep", #"{"ms":1,"key":"/docs/a.txt"}"#)
        server.request(3, "debug/sleep", #"{"ms":1,"key":"/docs/b.txt"}"#)
        server.request(4, "debug/sleep", #"{"ms":1,"key":"/docs/a.txt"}"#)
        // b does not wait for a: it is answered while 1 still holds a.
        _ = try await server.output.response(3)
        #expect(try server.output.messages().count == 1)
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":1}}"#)
        let messages = try await server.output.wait { $0.count >= 4 }
        #expect(messages.map(\.id) == [AnyHashable(3), AnyHashable(1), AnyHashable(2), AnyHashable(4)])
        #expect(messages[1].errorCode == -32800)
        let order = Dictionary(uniqueKeysWithValues: messages.map { ($0.id as! Int, $0.result?["order"] as? Int ?? 0) })
        #expect(order[2]! < order[4]!)
        #expect(order[3]! < order[2]!)
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func cancellingAQueuedOrOrderedRequestFreesItsPlace() async throws {
        let server = try PipeServer { $0.maxTransfers = 1 }
        // 1 holds the only transfer slot and 3 holds key k until they are cancelled.
        server.request(1, "debug/transfer", #"{"bytes":10,"chunks":1,"intervalMs":20000}"#)
        server.request(2, "debug/transfer", #"{"bytes":10,"chunks":1,"intervalMs":1}"#)
        server.request(3, "debug/sleep", #"{"ms":20000,"key":"k"}"#)
        server.request(4, "debug/sleep", #"{"ms":1,"key":"k"}"#)
        try await Self.barrier(server, id: "b")
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":2}}"#)
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":4}}"#)
        #expect(try await server.output.response(2, timeout: .seconds(15)).errorCode == -32800)
        #expect(try await server.output.response(4, timeout: .seconds(15)).errorCode == -32800)
        // Their places are gone: when 1 and 3 end, newcomers run at once, not 2 or 4.
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":1}}"#)
        server.send(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":3}}"#)
        #expect(try await server.output.response(1).errorCode == -32800)
        #expect(try await server.output.response(3).errorCode == -32800)
        server.request(5, "debug/transfer", #"{"bytes":10,"chunks":1,"intervalMs":1}"#)
        server.request(6, "debug/sleep", #"{"ms":1,"key":"k"}"#)
        #expect(try await server.output.response(5).result != nil)
        #expect(try await server.output.response(6).result != nil)
        let jobsOf2 = try server.output.messages().filter { $0.method == "event/job" && $0.requestID == AnyHashable(2) }
        #expect(jobsOf2.map { $0.params?["state"] as? String } == ["queued"])
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func endOfInputCancelsFlushesAndExitsZero() async throws {
        let server = try PipeServer()
        server.request(1, "debug/sleep", #"{"ms":10000}"#)
        server.request(2, "debug/transfer", #"{"bytes":100,"chunks":100,"intervalMs":100}"#)
        server.request(3, "debug/sleep", #"{"ms":1}"#)
        _ = try await server.output.response(3)
        let start = ContinuousClock.now
        server.closeInput()
        #expect(try await server.exitStatus() == 0)
        #expect(ContinuousClock.now - start < .seconds(8))  // not the 10 s of the sleep
        let messages = try server.output.messages()
        #expect(messages.first { $0.isResponse && $0.id == AnyHashable(1) }?.errorCode == -32800)
        let transfer = messages.first { $0.isResponse && $0.id == AnyHashable(2) }
        #expect(transfer?.errorCode == -32800)
        #expect(transfer?.errorData?["partial"] != nil)
        #expect(messages.filter(\.isResponse).count == 3)
    }

    @Test func handlersIgnoringCancellationAreAnsweredAfterTheGracePeriod() async throws {
        let server = try PipeServer { $0.cancelGracePeriod = .milliseconds(200) }
        server.request(1, "debug/sleep", #"{"ms":30000,"ignoreCancel":true}"#)
        server.closeInput()
        #expect(try await server.exitStatus(timeout: .seconds(15)) == 0)
        let messages = try server.output.messages()
        #expect(messages.count == 1)
        #expect(messages[0].errorCode == -32800)
    }

    @Test func shutdownDrainWaitsThenRefusesNewRequests() async throws {
        let server = try PipeServer()
        // Long enough that the ping after the shutdown is surely refused before it ends.
        server.request(1, "debug/sleep", #"{"ms":2000}"#)
        server.request(2, "shutdown", #"{"mode":"drain"}"#)
        server.request(3, "ping")
        let messages = try await server.output.wait { $0.count >= 3 }
        #expect(messages[0].id == AnyHashable(3))
        #expect(messages[0].errorCode == 1003)
        #expect(messages[0].errorKind == "shutting_down")
        #expect(messages[1].id == AnyHashable(1))
        #expect(messages[1].result?["sleptMs"] as? Int == 2000)
        #expect(messages[2].id == AnyHashable(2))
        #expect(messages[2].result?["drained"] as? Int == 1)
        #expect(messages[2].result?["cancelled"] as? Int == 0)
        server.closeInput()
        #expect(try await server.exitStatus() == 0)
    }

    @Test func shutdownCancelAndDrainTimeoutCancelInFlightWork() async throws {
        let server = try PipeServer()
        server.request(1, "debug/sleep", #"{"ms":10000}"#)
        server.request(2, "debug/sleep", #"{"ms":10000}"#)
        server.request(3, "shutdown", #"{"mode":"cancel"}"#)
        let shutdown = try await server.output.response(3, timeout: .seconds(15))
        #expect(shutdown.result?["cancelled"] as? Int == 2)
        #expect(shutdown.result?["drained"] as? Int == 0)
        let messages = try server.output.messages()
        #expect(messages.filter { $0.errorCode == -32800 }.count == 2)
        #expect(messages.last?.id == AnyHashable(3))  // answered after the work ended
        server.closeInput()
        _ = try await server.exitStatus()

        let timed = try PipeServer()
        timed.request(1, "debug/sleep", #"{"ms":10000}"#)
        timed.request(2, "shutdown", #"{"mode":"drain","timeoutMs":100,"exit":true}"#)
        #expect(try await timed.exitStatus(timeout: .seconds(15)) == 0)  // exit without EOF
        let timedMessages = try timed.output.messages()
        #expect(timedMessages.map(\.id) == [AnyHashable(1), AnyHashable(2)])
        #expect(timedMessages[0].errorCode == -32800)
        #expect(timedMessages[1].result?["cancelled"] as? Int == 1)
        timed.closeInput()
    }

    @Test func initializeNegotiatesAndAdvertises() async throws {
        let server = try PipeServer { $0.maxTransfers = 3; $0.maxLineBytes = 4096 }
        server.request(1, "initialize", #"{"protocolVersions":[7,1],"client":{"name":"test","version":"1"},"capabilities":{"events":{"progress":true}},"future":{"x":1}}"#)
        server.request(2, "initialize", #"{"protocolVersions":[2,3]}"#)
        let ok = try await server.output.response(1)
        #expect(ok.result?["protocolVersion"] as? Int == 1)
        let limits = try #require(ok.result?["limits"] as? [String: Any])
        #expect(limits["maxTransfers"] as? Int == 3)
        #expect(limits["maxLineBytes"] as? Int == 4096)
        #expect(limits["maxInFlight"] as? Int == 64)
        let capabilities = try #require(ok.result?["capabilities"] as? [String: Any])
        let methods = try #require(capabilities["methods"] as? [String])
        #expect(Set(["initialize", "ping", "shutdown", "logging/setLevel", "debug/sleep"]).isSubset(of: Set(methods)))
        #expect(capabilities["encryption"] as? Bool == false)
        #expect(capabilities["vault"] as? Bool == false)
        let refused = try await server.output.response(2)
        #expect(refused.errorCode == 1001)
        #expect(refused.errorData?["supported"] as? [Int] == [1])
        #expect(refused.errorData?["requested"] as? [Int] == [2, 3])
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func strictModeRequiresInitialize() async throws {
        let server = try PipeServer { $0.requireInitialize = true }
        server.request(1, "ping")
        server.request(2, "initialize")
        server.request(3, "ping")
        let messages = try await server.output.wait { $0.count >= 3 }
        #expect(messages[0].errorCode == -32002)
        #expect(messages[1].result != nil)
        #expect(messages[2].result != nil)
        server.closeInput()
        _ = try await server.exitStatus()
    }

    @Test func errorsFromHandlersKeepTheirCodeAndInternalErrorsDoNotKillTheServer() async throws {
        let server = try PipeServer()
        server.request(1, "debug/error", #"{"code":1200,"message":"Flood detected","retryAfterMs":30000}"#)
        server.request(2, "debug/error", #"{"code":-32603}"#)
        server.request(3, "ping")
        let flood = try await server.output.response(1)
        #expect(flood.errorCode == 1200)
        #expect(flood.errorKind == "rate_limited")
        #expect(flood.errorData?["retryable"] as? Bool == true)
        #expect(flood.errorData?["retryAfterMs"] as? Int == 30000)
        let internalError = try await server.output.response(2)
        #expect(internalError.errorCode == -32603)
        #expect(try await server.output.response(3).result != nil)
        server.closeInput()
        _ = try await server.exitStatus()
    }
}
