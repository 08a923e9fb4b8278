import FichierAPI
import Foundation
import Testing
@testable import FichierEmulator

/// Listing order, the cap and the `sent_before`/`sent_after` filters of file/ls, as the
/// README documents them.
@Suite struct ListingTests {
    /// 2026-05-01 10:00:00 Paris (summer time).
    static let base = Date(timeIntervalSince1970: 1_777_622_400)

    /// Seeds files 0…9 one second apart, except 4, 5 and 6 which share second 4, in a shuffled
    /// upload order; returns the folder and the names in date order (ties in upload order).
    static func seed(_ emulator: Emulator) throws -> (folder: Int, byDate: [String]) {
        let folder = try emulator.admin.makeFolder(named: "dated", in: 0)
        let offsets = [0, 1, 2, 3, 4, 4, 4, 7, 8, 9]
        let uploadOrder = [7, 2, 5, 0, 9, 4, 1, 8, 6, 3]  // which file is uploaded 1st, 2nd, …
        try emulator.admin.addFiles(count: 10, in: folder, size: 3) { index in
            base.addingTimeInterval(Double(offsets[uploadOrder[index]]))
        }
        let files = emulator.admin.files(in: folder)  // upload order
        let byDate = files.enumerated().sorted { lhs, rhs in
            (lhs.element.date, lhs.offset) < (rhs.element.date, rhs.offset)
        }.map(\.element.name)
        return (folder, byDate)
    }

    static func names(_ answer: [String: Any]) -> [String] {
        (answer["items"] as? [[String: Any]] ?? []).compactMap { $0["filename"] as? String }
    }

    @Test func filesAreListedByDateThenUploadOrderAndCapped() async throws {
        try await EmulatorHarness.with(EmulatorHarness.configuration { $0.listingCap = 6 }) { emulator in
            let (folder, byDate) = try Self.seed(emulator)
            let dates = emulator.admin.files(in: folder).map(\.date)
            #expect(Set(dates).count == 8)
            let listed = try await emulator.ok("file/ls.cgi", "{\"folder_id\":\(folder)}")
            #expect(Self.names(listed) == Array(byDate.prefix(6)))
            #expect(listed["count"] as? Int == 6)
            let withFiles = try await emulator.ok("folder/ls.cgi", "{\"folder_id\":\(folder),\"files\":1}")
            #expect(Self.names(withFiles) == Array(byDate.prefix(6)))
            #expect(withFiles["files"] as? Int == 10)  // the real count, beyond the cap
        }
        try await EmulatorHarness.with(EmulatorHarness.configuration {
            $0.listingCap = 6
            $0.listingOrder = .newestFirst
        }) { emulator in
            let (folder, byDate) = try Self.seed(emulator)
            let listed = try await emulator.ok("file/ls.cgi", "{\"folder_id\":\(folder)}")
            #expect(Self.names(listed) == Array(byDate.reversed().prefix(6)))
        }
    }

    @Test func dateFiltersAreExclusiveAndApplyBeforeTheCap() async throws {
        try await EmulatorHarness.with(EmulatorHarness.configuration { $0.listingCap = 2 }) { emulator in
            let (folder, byDate) = try Self.seed(emulator)
            let second4 = ParisTime.format(Self.base.addingTimeInterval(4))
            let second7 = ParisTime.format(Self.base.addingTimeInterval(7))
            // Strictly before second 4: files 0…3, capped to the 2 oldest.
            let before = try await emulator.ok("file/ls.cgi", "{\"folder_id\":\(folder),\"sent_before\":\"\(second4)\"}")
            #expect(Self.names(before) == Array(byDate[0..<2]))
            // Strictly after second 4: files 7, 8, 9 → the cap keeps 7 and 8.
            let after = try await emulator.ok("file/ls.cgi", "{\"folder_id\":\(folder),\"sent_after\":\"\(second4)\"}")
            #expect(Self.names(after) == Array(byDate[7..<9]))
            // Between seconds 3 and 7, both exclusive: the three files of second 4, capped.
            let second3 = ParisTime.format(Self.base.addingTimeInterval(3))
            let between = try await emulator.ok(
                "file/ls.cgi", "{\"folder_id\":\(folder),\"sent_after\":\"\(second3)\",\"sent_before\":\"\(second7)\"}")
            #expect(Self.names(between) == Array(byDate[4..<6]))
            #expect(between["count"] as? Int == 2)
            // A bound equal to a file's second excludes it; an empty string is no filter.
            let none = try await emulator.ok(
                "file/ls.cgi", "{\"folder_id\":\(folder),\"sent_after\":\"\(second3)\",\"sent_before\":\"\(second4)\"}")
            #expect(Self.names(none).isEmpty && none["count"] as? Int == 0)
            let empty = try await emulator.ok("file/ls.cgi", "{\"folder_id\":\(folder),\"sent_before\":\"\"}")
            #expect(empty["count"] as? Int == 2)
        }
    }

    @Test func malformedDatesAreRefused() async throws {
        try await EmulatorHarness.with { emulator in
            let (folder, _) = try Self.seed(emulator)
            for bad in ["2026-05-01", "2026-05-01T10:00:00", "2026-02-30 10:00:00", "yesterday", "2026-05-01 25:00:00"] {
                let answer = try await emulator.call("file/ls.cgi", "{\"folder_id\":\(folder),\"sent_before\":\"\(bad)\"}")
                #expect(answer.status == 403, "\(bad)")
                #expect(try answer.json()["message"] as? String == "Missing or invalid parameter: sent_before #902")
            }
            let number = try await emulator.call("file/ls.cgi", "{\"folder_id\":\(folder),\"sent_after\":20260501}")
            #expect(number.status == 403)
        }
    }

    @Test func theRealCapIsFiveThousand() async throws {
        try await EmulatorHarness.with(EmulatorHarness.configuration { $0.storage = .discard }) { emulator in
            let folder = try emulator.admin.makeFolder(named: "big", in: 0)
            try emulator.admin.addFiles(count: 5_001, in: folder, size: 1) { Self.base.addingTimeInterval(Double($0)) }
            let listed = try await emulator.ok("file/ls.cgi", "{\"folder_id\":\(folder)}")
            #expect(listed["count"] as? Int == 5_000)
            let items = try #require(listed["items"] as? [[String: Any]])
            #expect(items.last?["filename"] as? String == "file-005000.bin")
            let rest = try await emulator.ok("file/ls.cgi", "{\"folder_id\":\(folder),\"sent_after\":\"\(ParisTime.format(Self.base.addingTimeInterval(4_999)))\"}")
            #expect(Self.names(rest) == ["file-005001.bin"])
        }
    }

    @Test func dateWindowedListingsCountAgainstTheFolderRule() async throws {
        try await EmulatorHarness.with(EmulatorHarness.configuration {
            $0.rateLimits = RateLimits(folderListingInterval: .seconds(30))
        }) { emulator in
            let (folder, _) = try Self.seed(emulator)
            let other = try emulator.admin.makeFolder(named: "other", in: 0)
            let window = ParisTime.format(Self.base.addingTimeInterval(4))
            #expect(try await emulator.call("file/ls.cgi", "{\"folder_id\":\(folder)}").status == 200)
            // Another date window of the same folder is another listing of it: refused.
            let windowed = try await emulator.call("file/ls.cgi", "{\"folder_id\":\(folder),\"sent_before\":\"\(window)\"}")
            #expect(windowed.status == 403)
            #expect(try windowed.json()["message"] as? String == "Flood detected: IP Locked #374")
            // Other folders, and folder/ls of the same folder, have their own windows.
            #expect(try await emulator.call("file/ls.cgi", "{\"folder_id\":\(other),\"sent_before\":\"\(window)\"}").status == 200)
            #expect(try await emulator.call("folder/ls.cgi", "{\"folder_id\":\(folder)}").status == 200)
        }
    }
}
