import Foundation

/// Lenient reading, because 1fichier sends scalars as strings or numbers, `status` or `Status`,
/// `content-type` or `content_type`, and `null` where a number was expected.
extension JSONValue {
    /// The member named `key`; an exact match first, then a case-insensitive one. `nil` for a
    /// missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        if let value = object[key] { return value }
        let lowered = key.lowercased()
        for (name, value) in object where name.lowercased() == lowered { return value }
        return nil
    }

    /// The first of several spellings that is present and not null.
    public func member(_ keys: String...) -> JSONValue? {
        for key in keys {
            if let value = self[key], value != .null { return value }
        }
        return nil
    }

    /// A string, or a number rendered as text.
    public var stringValue: String? {
        switch self {
        case .string(let value): return value
        case .integer(let value): return String(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 9.0e15 { return String(Int64(value)) }
            return String(value)
        case .bool(let value): return value ? "1" : "0"
        default: return nil
        }
    }

    /// An integer from a number or a numeric string ("12", " 12 ", "12.0").
    public var int64Value: Int64? {
        switch self {
        case .integer(let value): return value
        case .number(let value):
            guard value.rounded() == value, value >= -9.2e18, value <= 9.2e18 else { return nil }
            return Int64(value)
        case .string(let text):
            let trimmed = text.trimmingSpaces
            if let value = Int64(trimmed) { return value }
            if let value = Double(trimmed) { return JSONValue.number(value).int64Value }
            return nil
        case .bool(let value): return value ? 1 : 0
        default: return nil
        }
    }

    public var intValue: Int? {
        int64Value.flatMap { Int(exactly: $0) }
    }

    /// A floating value from a number or a numeric string ("0.00").
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        case .string(let text): return Double(text.trimmingSpaces)
        case .bool(let value): return value ? 1 : 0
        default: return nil
        }
    }

    /// 1fichier's flags are 0/1 integers, sometimes strings; true/false is accepted too.
    public var boolValue: Bool? {
        switch self {
        case .bool(let value): return value
        case .integer(let value): return value != 0
        case .number(let value): return value != 0
        case .string(let text):
            switch text.trimmingSpaces.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off", "": return false
            default: return Double(text.trimmingSpaces).map { $0 != 0 }
            }
        default: return nil
        }
    }

    /// A "YYYY-MM-DD HH:MM:SS" Europe/Paris date.
    public var dateValue: Foundation.Date? {
        stringValue.flatMap(ParisTime.parse)
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var isNull: Bool { self == .null }
}

extension String {
    var trimmingSpaces: String {
        trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
