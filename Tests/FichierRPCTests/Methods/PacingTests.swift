import FichierAPI
import FichierEmulator
import Foundation
import Testing

@Suite("Account-wide pacing seen by requests")
struct PacingTests {
    @Test func aFloodPauseIsAnnouncedToRunningRequests() async throws {
        // Pauses long enough, and attempts enough (about 20 s), that the lock is lifted
        // (below) before the client gives up, even on a slow machine.
        let sandbox = try await SandboxServer.start(configureClient: {
            $0.floodPause = .seconds(2)
            $0.maxAttempts = 10
        })
        sandbox.emulator.faults.floodLock(for: .seconds(120))
        sandbox.server.request(1, "fs/list", #"{"path":"/"}"#)
        let messages = try await sandbox.server.output.wait(timeout: .seconds(30), "event/job throttled") { list in
            list.contains { $0.method == "event/job" && $0.params?["state"] as? String == "throttled" }
        }
        sandbox.emulator.faults.liftFloodLock()
        let response = try await sandbox.server.output.response(1, timeout: .seconds(30))
        #expect(response.result != nil, "\(response.line)")
        let throttled = messages.filter { $0.method == "event/job" && $0.params?["state"] as? String == "throttled" }
        #expect(throttled.allSatisfy { $0.requestID == AnyHashable(1) && ($0.params?["retryAfterMs"] as? Int ?? 0) >= 2000 })
        #expect((throttled.first?.params?["reason"] as? String)?.contains("374") == true)
        // The refused call itself is retried after the pause: a retrying event for request 1.
        let retrying = messages.filter { $0.method == "event/job" && $0.params?["state"] as? String == "retrying" }
        #expect(retrying.contains { $0.requestID == AnyHashable(1) && ($0.params?["delayMs"] as? Int ?? 0) >= 2000 })
        try await sandbox.stop()
    }

    @Test func retriesAreReportedToTheRequestThatRetries() async throws {
        let sandbox = try await SandboxServer.start(configureClient: { $0.maxBackoff = .milliseconds(100) })
        try sandbox.emulator.admin.makeFolder(named: "docs", in: 0)
        // Two 5xx answers for folder listings only; account/info (user/info.cgi) never fails.
        sandbox.emulator.faults.failNextAPICalls(2, status: 503, path: "folder/ls.cgi")
        var sent: [String] = []
        func request(_ id: Int, _ method: String, _ params: String) {
            let line = #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#
            sent.append(line)
            sandbox.server.send(line)
        }
        request(1, "fs/list", #"{"path":"/docs"}"#)
        request(2, "account/info", "{}")
        let listed = try await sandbox.server.output.response(1, timeout: .seconds(30))
        let info = try await sandbox.server.output.response(2, timeout: .seconds(30))
        #expect(listed.result != nil && info.result != nil, "\(listed.line)\n\(info.line)")
        let messages = try sandbox.server.output.messages()
        let retrying = messages.filter { $0.method == "event/job" && $0.params?["state"] as? String == "retrying" }
        // Exactly the two retries of the listing, attributed to request 1, in order.
        #expect(retrying.allSatisfy { $0.requestID == AnyHashable(1) }, "\(retrying.map(\.line))")
        #expect(retrying.compactMap { $0.params?["attempt"] as? Int } == [2, 3])
        for event in retrying {
            let reason = event.params?["reason"] as? String ?? ""
            #expect(reason.hasPrefix("folder/ls.cgi: ") && reason.contains("503"), "\(reason)")
            #expect((event.params?["delayMs"] as? Int).map { $0 >= 0 && $0 <= 100 } == true)
        }
        // Every event of request 1 precedes its response.
        let responseIndex = try #require(messages.firstIndex { $0.isResponse && $0.id == AnyHashable(1) })
        #expect(messages[responseIndex...].allSatisfy { !($0.method == "event/job" && $0.requestID == AnyHashable(1)) })
        #expect(sandbox.emulator.faults.requestLog.filter { $0.path == "/v1/folder/ls.cgi" }.map(\.status).prefix(2) == [503, 503])
        // What the server sent matches the schema (event/job included).
        try await sandbox.stop()
        let check = try SchemaConformanceTests.check(requests: sent, output: sandbox.server.output.bytes)
        #expect(check.status == 0, "\(check.report)")
    }

    @Test func aFloodThatOutlastsTheRetriesIsRateLimited() async throws {
        let sandbox = try await SandboxServer.start()
        sandbox.emulator.faults.floodLock(for: .seconds(30))
        let response = try await sandbox.call("account/info")
        #expect(response.errorCode == 1200)
        #expect(response.errorData?["retryable"] as? Bool == true)
        #expect((response.errorData?["retryAfterMs"] as? Int ?? 0) > 0)
        #expect((response.errorData?["provider"] as? [String: Any])?["code"] as? Int == 374)
        sandbox.emulator.faults.liftFloodLock()
        try await sandbox.stop()
    }
}
