import Foundation
import Testing
@testable import FichierAPI
@testable import FichierEmulator

/// Suites whose tests measure time or load the machine run one at a time, so the heavy
/// transfers don't skew the pacing measurements.
@Suite(.serialized) enum TimingSensitiveTests {}

extension TimingSensitiveTests {
/// The account-wide pacer as the emulator sees it.
@Suite struct PacingTests {
    @Test func minimumSpacingMeasuredByTheEmulator() async throws {
        try await APIHarness.with(client: { $0.pace = .milliseconds(120) }) { emulator, client in
            // Warm the connection up, then measure six concurrent callers.
            _ = try await client.listFolder(0)
            try await Task.sleep(for: .milliseconds(150))
            emulator.faults.clearRequestLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        if index % 2 == 0 { _ = try await client.listFolder(0) } else { _ = try await client.listFiles(in: 0) }
                    }
                }
                try await group.waitForAll()
            }
            let times = emulator.faults.requestLog.filter { $0.path.hasPrefix("/v1/") }.map(\.time).sorted()
            #expect(times.count == 6)
            // The pacer spaces starts; the emulator stamps arrivals, which jitter by a few
            // milliseconds on a busy machine. Each gap stays near the pace, the span at least 5 paces.
            for (earlier, later) in zip(times, times.dropFirst()) {
                #expect(later - earlier >= .milliseconds(80), "calls \(later - earlier) apart")
            }
            #expect(times[5] - times[0] >= .milliseconds(5 * 120 - 30))
        }
    }

    @Test func floodPausesEveryCallerThenSucceeds() async throws {
        try await APIHarness.with(client: { configuration in
            configuration.floodPause = .milliseconds(600)
            configuration.pace = .zero
        }) { emulator, client in
            let events = client.pacerEvents
            emulator.faults.floodLock(for: .milliseconds(400))
            let clock = ContinuousClock()
            let start = clock.now
            let finished = try await withThrowingTaskGroup(of: ContinuousClock.Instant.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        _ = try await client.listFolder(0)
                        return clock.now
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Every caller waited out the pause, then succeeded.
            for time in finished { #expect(time - start >= .milliseconds(550)) }
            #expect(finished.allSatisfy { $0 - start < .seconds(5) })
            let log = emulator.faults.requestLog.filter { $0.path == "/v1/folder/ls.cgi" }
            let refused = log.filter { $0.status == 403 }
            let accepted = log.filter { $0.status == 200 }
            #expect(!refused.isEmpty && accepted.count == 3)
            // Nothing reached the emulator during the pause after the first refusal.
            let firstRefusal = try #require(refused.map(\.time).min())
            #expect(accepted.allSatisfy { $0.time - firstRefusal >= .milliseconds(550) })
            var iterator = events.makeAsyncIterator()
            let event = await iterator.next()
            #expect(event == .paused(duration: .milliseconds(600), providerCode: 374))
        }
    }

    @Test func backoffGrowsBetweenRetries() async throws {
        try await APIHarness.with(client: { configuration in
            configuration.maxBackoff = .milliseconds(400)
            configuration.pace = .zero
        }) { emulator, client in
            _ = try await client.listFolder(0)  // warm the connection up
            emulator.faults.failNextAPICalls(3, status: 503, path: "file/ls.cgi")
            _ = try await client.listFiles(in: 0)
            let times = emulator.faults.requestLog.filter { $0.path == "/v1/file/ls.cgi" }.map(\.time)
            #expect(times.count == 4)
            let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
            // 200 ms, 400 ms, 400 ms (capped) between starts; arrivals jitter on a busy machine.
            #expect(gaps[0] >= .milliseconds(140), "\(gaps)")
            #expect(gaps[1] >= .milliseconds(300) && gaps[2] >= .milliseconds(300), "\(gaps)")
            #expect(gaps[0] + gaps[1] + gaps[2] >= .milliseconds(900), "\(gaps)")
            #expect(gaps[2] < .seconds(1), "\(gaps)")
        }
    }
}
}
