import Foundation

/// 1fichier's dates: `YYYY-MM-DD HH:MM:SS` in Europe/Paris local time.
///
/// Internal stand-in for FichierAPI's `ParisTime` until that lands. Uses the system time zone
/// database when it has Europe/Paris, and the EU summer-time rule (CET/CEST, in force since 1996)
/// otherwise, so the emulator never depends on tzdata being installed.
enum EmulatorParisTime {
    private static let zone = TimeZone(identifier: "Europe/Paris")

    /// Formats a date as Paris local time.
    static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let offset = Int64(zone?.secondsFromGMT(for: date) ?? euOffset(utcSeconds: seconds))
        return formatCivil(seconds + offset)
    }

    /// The current time as Paris local time.
    static func now() -> String { format(Date()) }

    /// Offset of Paris from UTC under the EU rule: +2 h from the last Sunday of March 01:00 UTC
    /// to the last Sunday of October 01:00 UTC, +1 h otherwise.
    static func euOffset(utcSeconds: Int64) -> Int {
        let year = civil(fromDays: floorDiv(utcSeconds, 86_400)).year
        let start = lastSunday(year: year, month: 3) * 86_400 + 3_600
        let end = lastSunday(year: year, month: 10) * 86_400 + 3_600
        return (utcSeconds >= start && utcSeconds < end) ? 7_200 : 3_600
    }

    private static func formatCivil(_ localSeconds: Int64) -> String {
        let days = floorDiv(localSeconds, 86_400)
        let secondOfDay = localSeconds - days * 86_400
        let date = civil(fromDays: days)
        return String(
            format: "%04lld-%02lld-%02lld %02lld:%02lld:%02lld",
            date.year, date.month, date.day,
            secondOfDay / 3_600, (secondOfDay % 3_600) / 60, secondOfDay % 60)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Days since 1970-01-01 of the last Sunday of a month.
    private static func lastSunday(year: Int64, month: Int64) -> Int64 {
        let nextMonthFirst = month == 12 ? days(fromCivil: year + 1, 1, 1) : days(fromCivil: year, month + 1, 1)
        let lastDay = nextMonthFirst - 1
        let weekday = (lastDay + 4) % 7   // 1970-01-01 was a Thursday; 0 = Sunday
        return lastDay - (weekday < 0 ? weekday + 7 : weekday)
    }

    // Howard Hinnant's civil-date algorithms.
    private static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
