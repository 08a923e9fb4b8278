import Foundation
import Testing
@testable import FichierEmulator

/// The limiter on a controlled clock.
@Suite struct RateLimiterTests {
    let start = ContinuousClock.now

    @Test func slidingWindowOfCallsPerSecond() {
        let limiter = RateLimiter()
        let limits = RateLimits(callsPerSecond: 3)
        for offset in [0, 100, 200] {
            #expect(limiter.admit(.plain, caller: "k", address: "a", limits: limits, now: start + .milliseconds(offset)) == nil)
        }
        #expect(limiter.admit(.plain, caller: "k", address: "a", limits: limits, now: start + .milliseconds(300)) == .flood)
        // Another key has its own window.
        #expect(limiter.admit(.plain, caller: "other", address: "a", limits: limits, now: start + .milliseconds(300)) == nil)
        // One second after the first call, one slot is free again.
        #expect(limiter.admit(.plain, caller: "k", address: "a", limits: limits, now: start + .milliseconds(1_050)) == nil)
        #expect(limiter.admit(.plain, caller: "k", address: "a", limits: limits, now: start + .milliseconds(1_060)) == .flood)
    }

    @Test func listingAndUserInfoCooldowns() {
        let limiter = RateLimiter()
        let limits = RateLimits.real
        let folderLs = RateLimiter.CallKind.folderListing(endpoint: "folder/ls.cgi", folder: 0)
        #expect(limiter.admit(folderLs, caller: "k", address: "a", limits: limits, now: start) == nil)
        #expect(limiter.admit(.folderListing(endpoint: "file/ls.cgi", folder: 0), caller: "k", address: "a", limits: limits,
                              now: start + .seconds(1)) == nil)
        #expect(limiter.admit(.folderListing(endpoint: "folder/ls.cgi", folder: 5), caller: "k", address: "a", limits: limits,
                              now: start + .seconds(2)) == nil)
        #expect(limiter.admit(folderLs, caller: "k", address: "a", limits: limits, now: start + .seconds(29)) == .flood)
        #expect(limiter.admit(folderLs, caller: "k", address: "a", limits: limits, now: start + .seconds(31)) == nil)
        #expect(limiter.admit(.userInfo, caller: "k", address: "a", limits: limits, now: start + .seconds(40)) == nil)
        #expect(limiter.admit(.userInfo, caller: "k", address: "a", limits: limits, now: start + .seconds(100)) == .userInfoFlood)
        #expect(limiter.admit(.userInfo, caller: "k", address: "a", limits: limits, now: start + .seconds(341)) == nil)
        #expect(limiter.admit(.accountListing, caller: "k", address: "a", limits: limits, now: start + .seconds(400)) == nil)
        #expect(limiter.admit(.accountListing, caller: "k", address: "a", limits: limits, now: start + .seconds(3_000)) == .flood)
    }

    @Test func lockDurationRefusesEverythingForAWhile() {
        let limiter = RateLimiter()
        let limits = RateLimits(callsPerSecond: 1, lockDuration: .seconds(60))
        #expect(limiter.admit(.plain, caller: "k", address: "a", limits: limits, now: start) == nil)
        #expect(limiter.admit(.plain, caller: "k", address: "a", limits: limits, now: start + .milliseconds(10)) == .flood)
        // Locked: the key and the address, even after the window passed.
        #expect(limiter.admit(.plain, caller: "k", address: "a", limits: limits, now: start + .seconds(30)) == .flood)
        #expect(limiter.admit(.plain, caller: "other", address: "a", limits: limits, now: start + .seconds(30)) == .flood)
        #expect(limiter.admit(.plain, caller: "k", address: "a", limits: limits, now: start + .seconds(61)) == nil)
    }

    @Test func offAdmitsEverything() {
        let limiter = RateLimiter()
        for index in 0..<100 {
            #expect(limiter.admit(.userInfo, caller: "k", address: "a", limits: .off, now: start + .milliseconds(index)) == nil)
        }
    }
}

/// Limits as clients meet them over HTTP.
@Suite struct RateLimitHTTPTests {
    @Test func floodsAnswer403WithTheServiceMessage() async throws {
        try await EmulatorHarness.with(EmulatorHarness.configuration { $0.rateLimits = .real }) { emulator in
            #expect(try await emulator.call("folder/ls.cgi", #"{"folder_id":0}"#).status == 200)
            let again = try await emulator.call("folder/ls.cgi", #"{"folder_id":0}"#)
            #expect(again.status == 403)
            #expect(try again.json() as NSDictionary == ["status": "KO", "message": "Flood detected: IP Locked #374"])
            #expect(try await emulator.call("file/ls.cgi", #"{"folder_id":0}"#).status == 200)
            #expect(try await emulator.call("user/info.cgi").status == 200)
            try await Task.sleep(for: .milliseconds(1_100))
            let info = try await emulator.call("user/info.cgi")
            #expect(info.status == 403)
            #expect(try info.json()["message"] as? String == "Flood detected: IP Locked #38")
            // Switched off at runtime: everything passes again.
            emulator.faults.setRateLimits(.off)
            #expect(try await emulator.call("user/info.cgi").status == 200)
            #expect(try await emulator.call("folder/ls.cgi", #"{"folder_id":0}"#).status == 200)
        }
    }

    @Test func callsPerSecondOverHTTP() async throws {
        try await EmulatorHarness.with(EmulatorHarness.configuration {
            $0.rateLimits = RateLimits(callsPerSecond: 3)
        }) { emulator in
            let started = ContinuousClock.now
            var statuses: [Int] = []
            for index in 0..<6 {
                statuses.append(try await emulator.call("folder/mkdir.cgi", "{\"name\":\"f\(index)\"}").status)
            }
            // Only meaningful if the six calls took well under a second.
            if ContinuousClock.now - started < .milliseconds(900) {
                #expect(statuses.filter { $0 == 200 }.count == 3)
                #expect(statuses.filter { $0 == 403 }.count == 3)
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == 200 })
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await emulator.call("folder/mkdir.cgi", #"{"name":"later"}"#).status == 200)
        }
    }
}
