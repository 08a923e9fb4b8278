import Foundation
import Testing
@testable import FichierAPI
@testable import FichierEmulator

/// Suites whose tests measure time or load the machine run one at a time, so the heavy
/// transfers don't skew the pacing measurements.
@Suite(.serialized) enum TimingSensitiveTests {}

extension TimingSensitiveTests {
/// The account-wide pacer as the emulator sees it. Spacing is measured on the starts the pacer
/// hands out (`Pacer.recentStarts`, the clock the code uses); the emulator, on the same clock,
/// must see each request no earlier than its start. Lower bounds are exact; upper bounds are
/// generous, since a loaded machine only makes things later.
@Suite struct PacingTests {
    /// The starts of the last `count` calls.
    static func starts(_ client: FichierClient, last count: Int) async -> [ContinuousClock.Instant] {
        Array(await client.pacer.recentStarts.suffix(count))
    }

    /// Each of the sorted arrivals is no earlier than the matching sorted start.
    static func arrivals(_ arrivals: [ContinuousClock.Instant], neverPrecede starts: [ContinuousClock.Instant]) -> Bool {
        arrivals.count == starts.count && zip(arrivals.sorted(), starts.sorted()).allSatisfy { $0 >= $1 }
    }

    @Test func minimumSpacingMeasuredByTheEmulator() async throws {
        try await APIHarness.with(client: { $0.pace = .milliseconds(120) }) { emulator, client in
            _ = try await client.listFolder(0)  // warm the connection up
            emulator.faults.clearRequestLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        if index % 2 == 0 { _ = try await client.listFolder(0) } else { _ = try await client.listFiles(in: 0) }
                    }
                }
                try await group.waitForAll()
            }
            let starts = await Self.starts(client, last: 6)
            for (earlier, later) in zip(starts, starts.dropFirst()) {
                #expect(later - earlier >= .milliseconds(120) - PacerSchedule.wakeTolerance, "starts \(later - earlier) apart")
            }
            let arrivals = emulator.faults.requestLog.filter { $0.path.hasPrefix("/v1/") }.map(\.time)
            #expect(Self.arrivals(arrivals, neverPrecede: starts))
            #expect(starts[5] - starts[0] < .seconds(10))
        }
    }

    @Test func floodPausesEveryCallerThenSucceeds() async throws {
        try await APIHarness.with(client: { configuration in
            configuration.floodPause = .milliseconds(600)
            configuration.pace = .zero
        }) { emulator, client in
            let events = client.pacerEvents
            // Exactly three flood refusals, whenever the calls arrive: each caller's first
            // attempt, or a retry if a caller started late.
            emulator.faults.failNextAPICalls(3, status: 403, path: "folder/ls.cgi", message: "Flood detected: IP Locked #374")
            let clock = ContinuousClock()
            let before = clock.now
            let finished = try await withThrowingTaskGroup(of: ContinuousClock.Instant.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        _ = try await client.listFolder(0)
                        return clock.now
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let log = emulator.faults.requestLog.filter { $0.path == "/v1/folder/ls.cgi" }
            let refused = log.filter { $0.status == 403 }
            let accepted = log.filter { $0.status == 200 }
            #expect(refused.count == 3 && accepted.count == 3)
            // The pause began after a refusal; no call reached the emulator during it, and
            // every caller waited it out.
            let firstRefusal = try #require(refused.map(\.time).min())
            #expect(accepted.allSatisfy { $0.time - firstRefusal >= .milliseconds(600) })
            #expect(finished.allSatisfy { $0 - before >= .milliseconds(600) })
            #expect(finished.allSatisfy { $0 - before < .seconds(20) })
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
            let calls = emulator.faults.requestLog.filter { $0.path == "/v1/file/ls.cgi" }
            #expect(calls.map(\.status) == [503, 503, 503, 200])
            let starts = await Self.starts(client, last: 4)
            #expect(Self.arrivals(calls.map(\.time), neverPrecede: starts))
            let gaps = zip(starts, starts.dropFirst()).map { $1 - $0 }
            // Backoff 200 ms, then 400 ms, then 400 ms (capped) between starts.
            let expected: [Duration] = [.milliseconds(200), .milliseconds(400), .milliseconds(400)]
            for (gap, least) in zip(gaps, expected) {
                #expect(gap >= least - PacerSchedule.wakeTolerance, "\(gaps)")
                #expect(gap < least + .seconds(5), "\(gaps)")
            }
        }
    }
}
}
