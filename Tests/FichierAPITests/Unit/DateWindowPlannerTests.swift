import Testing
@testable import FichierAPI

@Suite struct ParisWallSecondTests {
    @Test func parsesAndFormatsWallTime() throws {
        let leap = try #require(ParisWallSecond("2024-02-29 23:59:59"))
        #expect((leap + 1).text == "2024-03-01 00:00:00")
        #expect((try #require(ParisWallSecond("2000-01-01 00:00:00")) - 1).text == "1999-12-31 23:59:59")
        #expect(ParisWallSecond("1970-01-01 00:00:00")?.value == 0)
        // Wall time ignores daylight saving: the skipped spring hour and the repeated autumn
        // hour are plain seconds, like 1fichier's text.
        let spring = try #require(ParisWallSecond("2026-03-29 01:59:59"))
        #expect((spring + 1).text == "2026-03-29 02:00:00")
        for bad in ["2023-02-29 00:00:00", "2026-13-01 00:00:00", "2026-04-31 10:00:00", "2026-01-01 24:00:00",
                    "2026-01-01T10:00:00", "2026-01-01", "0000-00-00 00:00:00", " 2026-01-01 10:00:00", ""] {
            #expect(ParisWallSecond(bad) == nil, "\(bad)")
        }
    }

    @Test func orderIsTheOrderOfTheText() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let a = ParisWallSecond(value: Int64.random(in: -2_000_000_000...40_000_000_000, using: &generator))
            let b = ParisWallSecond(value: Int64.random(in: -2_000_000_000...40_000_000_000, using: &generator))
            #expect(ParisWallSecond(a.text) == a)
            #expect((a < b) == (a.text < b.text))
        }
    }
}

/// The date-window plan against an in-memory folder that answers like file/ls: filters, an
/// order, then the cap. Every combination of order and bound semantics must end complete
/// (or report exactly the seconds that cannot be split).
@Suite struct DateWindowPlannerTests {
    struct FakeFolder {
        enum Order { case oldestFirst, newestFirst, byURL }
        var files: [(url: String, date: String)]
        var order: Order
        var inclusiveBounds = false
        var ignoresFilters = false
        var cap = 5_000
        var asked: [DateWindowPlanner.Window] = []

        mutating func answer(_ window: DateWindowPlanner.Window) throws -> [RemoteFile] {
            asked.append(window)
            return try answer(after: window.sentAfter, before: window.sentBefore)
        }

        func answer(after: String? = nil, before: String? = nil) throws -> [RemoteFile] {
            var selected = files.enumerated().filter { _, file in
                if ignoresFilters { return true }
                if let after, inclusiveBounds ? file.date < after : file.date <= after { return false }
                if let before, inclusiveBounds ? file.date > before : file.date >= before { return false }
                return true
            }
            switch order {
            case .oldestFirst:
                selected.sort { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }
            case .newestFirst:
                selected.sort { ($0.element.date, $0.offset) > ($1.element.date, $1.offset) }
            case .byURL:
                selected.sort { $0.element.url < $1.element.url }
            }
            return try selected.prefix(cap).map { _, file in
                try RemoteFile(json: .object(["url": .string(file.url), "filename": "f.bin", "size": 1,
                                              "date": .string(file.date)]))
            }
        }
    }

    static let start = ParisWallSecond("2026-03-29 01:00:00")!

    /// `spec`: (files, seconds they spread over: 1 = all in one second).
    static func files(_ spec: [(count: Int, seconds: Int)]) -> [(url: String, date: String)] {
        var files: [(url: String, date: String)] = []
        var second = start
        var serial = 0
        for (count, seconds) in spec {
            for index in 0..<count {
                serial += 1
                // Pseudo-random ids so the by-URL order scatters dates.
                let id = String((UInt64(serial) &* 0x9E37_79B9_7F4A_7C15) >> 4, radix: 36)
                files.append(("https://1fichier.com/?\(id)", (second + Int64(index * seconds / count)).text))
            }
            second = second + Int64(seconds) + 5
        }
        // Upload order differs from date order.
        return files.reversed()
    }

    func run(_ folder: inout FakeFolder, maximumWindows: Int = 512) async throws -> FileListing {
        let first = try folder.answer()
        var copy = folder
        let listing = try await FichierClient.gatherFiles(cap: folder.cap, first: first, firstMayBeIncomplete: false,
                                                          maximumWindows: maximumWindows) { window in
            try copy.answer(window)
        }
        folder = copy
        return listing
    }

    /// 12,000 files: spread seconds and clusters of 3,500 and 4,000 in one second each.
    static let mixed = files([(2_000, 2_000), (3_500, 1), (1_500, 300), (4_000, 1), (1_000, 1_000)])

    @Test(arguments: [FakeFolder.Order.oldestFirst, .newestFirst], [false, true])
    func sortedAnswersListEverythingInFewCalls(order: FakeFolder.Order, inclusive: Bool) async throws {
        var folder = FakeFolder(files: Self.mixed, order: order, inclusiveBounds: inclusive)
        let listing = try await run(&folder)
        let complete = listing.isComplete && listing.overfullSeconds.isEmpty && listing.incompleteReason == nil
        #expect(complete)
        #expect(listing.files.count == 12_000)
        #expect(Set(listing.files.map(\.url)) == Set(Self.mixed.map(\.url)))
        // Each window but the boundary seconds brings new files: about N / cap calls.
        #expect(listing.calls <= 6, "\(listing.calls) calls, \(folder.asked.count) windows")
        let dates = listing.files.map { $0.raw["date"]?.stringValue ?? "" }
        #expect(dates == (order == .newestFirst ? dates.sorted(by: >) : dates.sorted()))
    }

    @Test(arguments: [false, true])
    func unsortedAnswersAreSplitUntilComplete(inclusive: Bool) async throws {
        var folder = FakeFolder(files: Self.mixed, order: .byURL, inclusiveBounds: inclusive)
        let listing = try await run(&folder)
        let complete = listing.isComplete
        #expect(complete)
        let same = Set(listing.files.map(\.url)) == Set(Self.mixed.map(\.url))
        #expect(same)
        #expect(listing.files.count == 12_000)
        #expect(listing.calls <= 16, "\(listing.calls) calls")
    }

    @Test(arguments: [FakeFolder.Order.oldestFirst, .newestFirst, .byURL])
    func aSecondHoldingMoreThanTheCapIsReportedNotLooped(order: FakeFolder.Order) async throws {
        let files = Self.files([(3_000, 3_000), (5_001, 1), (3_000, 3_000)])
        var folder = FakeFolder(files: files, order: order)
        let listing = try await run(&folder)
        let crowded = (Self.start + 3_005).text
        let complete = listing.isComplete
        #expect(!complete)
        #expect(listing.overfullSeconds == [crowded])
        #expect(listing.incompleteReason?.contains(crowded) == true)
        // Everything outside that second is there, and a cap's worth of that second.
        let outside = files.filter { $0.date != crowded }.map(\.url)
        let allOutside = Set(outside).isSubset(of: Set(listing.files.map(\.url)))
        #expect(allOutside)
        #expect(listing.files.filter { $0.raw["date"]?.stringValue == crowded }.count == 5_000)
        #expect(listing.calls <= 12, "\(listing.calls) calls: \(folder.asked.count) windows")
    }

    @Test func exactlyACapInOneSecondIsReportedConservatively() async throws {
        let files = Self.files([(5_000, 1), (10, 10)])
        var folder = FakeFolder(files: files, order: .oldestFirst)
        let listing = try await run(&folder)
        // 5,000 files in one second look exactly like a cut answer: never claimed complete.
        let complete = listing.isComplete
        #expect(!complete && listing.overfullSeconds == [Self.start.text])
        #expect(listing.files.count == 5_010)
    }

    @Test func aServerIgnoringTheFiltersEndsIncomplete() async throws {
        var folder = FakeFolder(files: Self.files([(6_000, 600)]), order: .newestFirst, ignoresFilters: true)
        let listing = try await run(&folder)
        let complete = listing.isComplete
        #expect(!complete)
        #expect(listing.incompleteReason != nil)
        #expect(listing.calls <= 4, "\(folder.asked.count) windows")
        #expect(listing.files.count == 5_000)
    }

    @Test func theWindowBudgetEndsIncomplete() async throws {
        var folder = FakeFolder(files: Self.mixed, order: .byURL)
        let listing = try await run(&folder, maximumWindows: 2)
        let complete = listing.isComplete
        #expect(!complete && listing.calls == 3)
        #expect(listing.incompleteReason?.contains("2 date windows") == true)
    }

    @Test func smallAnswersNeedNoWindow() async throws {
        var folder = FakeFolder(files: Self.files([(4_999, 100)]), order: .newestFirst)
        let listing = try await run(&folder)
        let complete = listing.isComplete
        #expect(complete && listing.calls == 1 && folder.asked.isEmpty)
        // The one answer is kept exactly as 1fichier sent it.
        #expect(listing.files.map(\.url) == (try folder.answer()).map(\.url))
    }

    @Test func windowsAreAskedWithExclusiveBoundsAroundThem() {
        let window = DateWindowPlanner.Window(from: Self.start, to: Self.start + 60)
        #expect(window.sentAfter == "2026-03-29 00:59:59")
        #expect(window.sentBefore == "2026-03-29 01:01:01")
        #expect(DateWindowPlanner.Window.everything.sentAfter == nil && DateWindowPlanner.Window.everything.sentBefore == nil)
        #expect(DateWindowPlanner.order(of: [Self.start, Self.start, Self.start + 1]) == .oldestFirst)
        #expect(DateWindowPlanner.order(of: [Self.start + 1, Self.start + 1, Self.start]) == .newestFirst)
        #expect(DateWindowPlanner.order(of: [Self.start, Self.start + 1, Self.start]) == .unknown)
    }

    @Test func anAnswerKnownToLackFilesIsAskedAgain() async throws {
        let folder = FakeFolder(files: Self.files([(10, 10)]), order: .oldestFirst)
        let first = Array(try folder.answer().prefix(7))
        var copy = folder
        let listing = try await FichierClient.gatherFiles(cap: 5_000, first: first, firstMayBeIncomplete: true) { window in
            try copy.answer(window)
        }
        #expect(copy.asked == [.everything])
        let complete = listing.isComplete
        #expect(complete && listing.files.count == 10 && listing.calls == 2)
    }
}
