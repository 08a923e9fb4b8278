import Foundation
import Testing
@testable import FichierAPI
@testable import FichierEmulator

extension TimingSensitiveTests {
/// Folders beyond 1fichier's 5,000-item cap, against the emulator with the real cap and its
/// one-listing-per-folder rule (shortened), seeded with spread and same-second upload dates.
/// CPU-heavy (12,000-file answers), so it runs with the other timing-sensitive suites.
@Suite struct LargeFolderTests {
    static let window = Duration.milliseconds(250)

    /// Upload dates for seeded files: `(count, seconds)` groups, each spread evenly over its
    /// seconds (1 = all in one second), 5 s apart. Starts at 02:45 summer time just before the
    /// autumn change of 2026, so the repeated hour makes instants share wall-clock seconds (and
    /// wall order differ from time order), as on 1fichier.
    static func dates(_ groups: [(count: Int, seconds: Int)]) -> [Date] {
        var dates: [Date] = []
        var start = Date(timeIntervalSince1970: 1_792_889_100)  // 2026-10-25 00:45:00 UTC
        for (count, seconds) in groups {
            for index in 0..<count {
                dates.append(start.addingTimeInterval(Double(index * seconds / count)))
            }
            start = start.addingTimeInterval(Double(seconds + 5))
        }
        return dates
    }

    /// 12,000 files: spread over seconds, with 3,500 and 4,000 sharing one second each.
    static let mixed = dates([(2_000, 2_000), (3_500, 1), (1_500, 300), (4_000, 1), (1_000, 1_500)])

    func withLargeFolder(order: ListingOrder = .oldestFirst, dates: [Date],
                         _ body: (Emulator, FichierClient, Int) async throws -> Void) async throws {
        try await APIHarness.with(emulator: { configuration in
            configuration.storage = .discard
            configuration.listingOrder = order
            configuration.rateLimits = RateLimits(folderListingInterval: LargeFolderTests.window)
        }, client: { configuration in
            configuration.listingWindow = LargeFolderTests.window
        }) { emulator, client in
            let folder = try emulator.admin.makeFolder(named: "big", in: 0)
            // Seeded in a shuffled order, so upload order and date order differ.
            let shuffled = dates.shuffled()
            try await offPool { try emulator.admin.addFiles(count: shuffled.count, in: folder, size: 1) { shuffled[$0] } }
            try await body(emulator, client, folder)
        }
    }

    func fileListings(_ emulator: Emulator) -> [EmulatorRequestRecord] {
        emulator.faults.requestLog.filter { $0.path == "/v1/file/ls.cgi" }
    }

    @Test func listsTwelveThousandFilesInDateWindows() async throws {
        try await withLargeFolder(dates: Self.mixed) { emulator, client, folder in
            let listing = try await client.listAllFiles(in: folder)
            let complete = listing.isComplete
            #expect(complete)
            #expect(listing.files.count == 12_000)
            let expected = Set(emulator.admin.files(in: folder).map(\.url))
            #expect(Set(listing.files.map(\.url)) == expected)
            let dates = listing.files.map { $0.raw["date"]?.stringValue ?? "" }
            #expect(dates == dates.sorted())
            // One file/ls per window, never refused, each a listing window after the previous
            // answer (so arrivals are at least that far apart).
            let calls = fileListings(emulator)
            #expect(calls.count == listing.calls)
            #expect(listing.calls >= 3 && listing.calls <= 5, "\(listing.calls) calls")
            #expect(calls.allSatisfy { $0.status == 200 })
            for (earlier, later) in zip(calls, calls.dropFirst()) {
                #expect(later.time - earlier.time >= Self.window, "\(later.time - earlier.time)")
            }
        }
    }

    @Test func theResolverListsANewestFirstFolderCompletely() async throws {
        try await withLargeFolder(order: .newestFirst, dates: Self.mixed) { emulator, client, folder in
            let resolver = PathResolver(client: client)
            let listing = try await resolver.listing(of: folder)
            #expect(listing.filesComplete)
            #expect(listing.fileCount == 12_000)
            #expect(Set(listing.files.map(\.url)) == Set(emulator.admin.files(in: folder).map(\.url)))
            #expect(listing.files.count == 12_000)
            let dates = listing.files.map { $0.raw["date"]?.stringValue ?? "" }
            #expect(dates == dates.sorted(by: >))
            // folder/ls once, then file/ls windows; a name lookup uses the cached listing.
            #expect(APIHarness.count("/v1/folder/ls.cgi", in: emulator) == 1)
            let windows = fileListings(emulator).count
            #expect(windows >= 2 && windows <= 4, "\(windows) windows")
            let last = try #require(listing.files.last)
            let found = try await resolver.file(at: RemotePath("/big/\(last.name)"))
            #expect(found.url == last.url)
            #expect(APIHarness.count("/v1/folder/ls.cgi", in: emulator) == 2)  // and the root, for /big
            #expect(emulator.faults.requestLog.count == 2 + windows)
            #expect(emulator.faults.requestLog.allSatisfy { $0.status == 200 })
        }
    }

    @Test func aSecondHoldingMoreThanTheCapIsReportedIncomplete() async throws {
        let dates = Self.dates([(1_500, 1_500), (5_001, 1), (1_500, 1_500)])
        try await withLargeFolder(dates: dates) { emulator, client, folder in
            let listing = try await client.listFolderCompletely(folder)
            #expect(!listing.filesComplete)
            #expect(listing.fileCount == 8_001)
            // Everything but the crowded second, and a cap's worth of that second.
            #expect(listing.files.count == 8_000)
            let crowded = ParisTime.format(dates[1_500])
            let perDate = Dictionary(grouping: listing.files) { $0.raw["date"]?.stringValue ?? "" }
            #expect(perDate[crowded]?.count == 5_000)
            let expectedOthers = Set(emulator.admin.files(in: folder).filter { $0.date != crowded }.map(\.url))
            #expect(expectedOthers.isSubset(of: Set(listing.files.map(\.url))))
            // It ended: a handful of windows, none refused.
            #expect(fileListings(emulator).count <= 4)
            #expect(emulator.faults.requestLog.allSatisfy { $0.status == 200 })
        }
    }
}
}
