import Foundation
import Testing
@testable import FichierAPI

@Suite struct ParisTimeTests {
    /// Seconds since 1970 of a UTC wall time.
    func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0, _ second: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
    }

    @Test func winterIsUTCPlusOne() {
        #expect(ParisTime.parse("2021-01-15 12:00:00") == utc(2021, 1, 15, 11))
    }

    @Test func summerIsUTCPlusTwo() {
        #expect(ParisTime.parse("2021-06-22 14:57:25") == utc(2021, 6, 22, 12, 57, 25))
    }

    @Test func aroundTheSpringChange() {
        // 2024-03-31: 02:00 CET becomes 03:00 CEST (01:00 UTC).
        #expect(ParisTime.parse("2024-03-31 01:59:59") == utc(2024, 3, 31, 0, 59, 59))
        #expect(ParisTime.parse("2024-03-31 03:00:00") == utc(2024, 3, 31, 1))
        // 02:30 does not exist on that day: it lands an hour later, 03:30 CEST.
        #expect(ParisTime.parse("2024-03-31 02:30:00") == utc(2024, 3, 31, 1, 30))
    }

    @Test func aroundTheAutumnChange() {
        // 2024-10-27: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 happens twice.
        #expect(ParisTime.parse("2024-10-27 01:30:00") == utc(2024, 10, 26, 23, 30))
        // The first occurrence (still summer time) is taken.
        #expect(ParisTime.parse("2024-10-27 02:30:00") == utc(2024, 10, 27, 0, 30))
        #expect(ParisTime.parse("2024-10-27 03:30:00") == utc(2024, 10, 27, 2, 30))
    }

    @Test func formatRoundTripsAcrossTheYear() {
        for text in ["2021-01-15 12:00:00", "2021-06-22 14:57:25", "2024-03-31 03:00:00", "2024-10-27 03:30:00",
                     "2026-12-31 23:59:59", "2000-02-29 00:00:00"] {
            let date = ParisTime.parse(text)
            #expect(date != nil, "\(text)")
            if let date { #expect(ParisTime.format(date) == text) }
        }
        #expect(ParisTime.format(utc(2021, 6, 22, 12, 57, 25)) == "2021-06-22 14:57:25")
        #expect(ParisTime.format(utc(2021, 12, 31, 23, 30)) == "2022-01-01 00:30:00")
    }

    @Test func lenientAndInvalidInput() {
        #expect(ParisTime.parse(" 2021-06-22 14:57:25 ") == utc(2021, 6, 22, 12, 57, 25))
        #expect(ParisTime.parse("2021-06-22T14:57:25") == utc(2021, 6, 22, 12, 57, 25))
        #expect(ParisTime.parse("2021-06-22") == utc(2021, 6, 21, 22))
        for bad in ["", "0000-00-00 00:00:00", "2021-02-30 10:00:00", "2021-13-01 00:00:00", "21-06-22 14:57:25",
                    "2021-06-22 25:00:00", "yesterday", "2021-06-22 14:57"] {
            #expect(ParisTime.parse(bad) == nil, "\(bad)")
        }
    }
}
