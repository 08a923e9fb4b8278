import FichierEmulator
import Foundation
import Testing

@Suite("Account-wide pacing seen by requests")
struct PacingTests {
    @Test func aFloodPauseIsAnnouncedToRunningRequests() async throws {
        let sandbox = try await SandboxServer.start()
        sandbox.emulator.faults.floodLock(for: .milliseconds(600))
        let response = try await sandbox.call("fs/list", #"{"path":"/"}"#)
        #expect(response.result != nil, "\(response.line)")
        let throttled = try sandbox.server.output.messages().filter {
            $0.method == "event/job" && $0.params?["state"] as? String == "throttled"
        }
        #expect(!throttled.isEmpty)
        #expect(throttled.allSatisfy { $0.requestID == response.id && ($0.params?["retryAfterMs"] as? Int ?? 0) > 0 })
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
