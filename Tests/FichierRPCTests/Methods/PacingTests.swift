import FichierAPI
import FichierEmulator
import Foundation
import Testing

@Suite("Account-wide pacing seen by requests")
struct PacingTests {
    @Test func aFloodPauseIsAnnouncedToRunningRequests() async throws {
        // Pauses long enough that the lock is lifted (below) before the client gives up.
        let sandbox = try await SandboxServer.start(configureClient: { $0.floodPause = .seconds(2) })
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
        try await sandbox.stop()
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
