import Foundation

/// 1fichier's dates: "YYYY-MM-DD HH:MM:SS" in French local time (Europe/Paris, CET/CEST).
public enum ParisTime {
    /// Europe/Paris from the system's tz database.
    public static let timeZone: TimeZone = TimeZone(identifier: "Europe/Paris")
        ?? TimeZone(secondsFromGMT: 3600)!

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }()

    /// Parses "YYYY-MM-DD HH:MM:SS" (a "T" separator and a date alone are accepted too).
    /// Returns nil for empty, zero ("0000-00-00 …") or malformed text. A wall time skipped by
    /// the spring change is moved forward an hour; a repeated autumn time resolves to the first
    /// (summer time) instant.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8.drop(while: { $0 == 0x20 }).reversed().drop(while: { $0 == 0x20 }).reversed())
        guard bytes.count == 10 || bytes.count == 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        if bytes.count == 19 {
            guard bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"),
                  bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                  let h = number(11..<13), let m = number(14..<16), let s = number(17..<19)
            else { return nil }
            hour = h; minute = m; second = s
        }
        guard year >= 1, (1...12).contains(month), (1...31).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = second
        guard let date = calendar.date(from: components) else { return nil }
        // Reject dates the calendar had to roll over (e.g. 31 February).
        let check = calendar.dateComponents([.year, .month, .day], from: date)
        guard check.year == year, check.month == month, check.day == day else { return nil }
        return date
    }

    /// Formats a date as 1fichier does, in Europe/Paris wall time.
    public static func format(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) "
            + "\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
    }
}
