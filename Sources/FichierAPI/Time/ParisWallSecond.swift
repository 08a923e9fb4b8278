/// One second of Europe/Paris wall time as 1fichier writes it (`YYYY-MM-DD HH:MM:SS`), counted
/// as if the wall clock never changed for daylight saving. Its order is the order of the text,
/// which is what 1fichier's `sent_before`/`sent_after` filters compare, so date windows are
/// computed here and never through instants (an autumn hour repeats, a spring hour is skipped).
/// The emulator checks its date parameters with the same parser.
public struct ParisWallSecond: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since 1970-01-01 00:00:00 wall time.
    let value: Int64

    init(value: Int64) {
        self.value = value
    }

    /// Parses exactly `YYYY-MM-DD HH:MM:SS` with a real calendar date and time; nil for anything
    /// else (including zero dates).
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              year >= 1, (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60
        else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        value = days * 86_400 + hour * 3_600 + minute * 60 + second
    }

    /// `YYYY-MM-DD HH:MM:SS`.
    var text: String {
        let days = value >= 0 ? value / 86_400 : (value - 86_399) / 86_400
        let seconds = value - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        func pad(_ number: Int64, _ width: Int) -> String {
            let digits = String(number)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) "
            + "\(pad(seconds / 3_600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
    }

    public var description: String { text }

    public static func < (lhs: ParisWallSecond, rhs: ParisWallSecond) -> Bool { lhs.value < rhs.value }

    static func + (lhs: ParisWallSecond, seconds: Int64) -> ParisWallSecond {
        ParisWallSecond(value: lhs.value + seconds)
    }

    static func - (lhs: ParisWallSecond, seconds: Int64) -> ParisWallSecond {
        ParisWallSecond(value: lhs.value - seconds)
    }

    // MARK: Proleptic Gregorian arithmetic (days since 1970-01-01)

    private static func isLeap(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
