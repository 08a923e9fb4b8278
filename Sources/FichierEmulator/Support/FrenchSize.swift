/// Human-readable sizes in French units, as the end.pl HTML page shows them (`2 o`, `1.15 Ko`).
enum FrenchSize {
    static func format(_ bytes: Int64) -> String {
        let units = ["o", "Ko", "Mo", "Go", "To", "Po"]
        guard bytes >= 1024 else { return "\(bytes) o" }
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let hundredths = Int64((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) \(units[unit])"
    }
}
