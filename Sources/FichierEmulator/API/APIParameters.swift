import FichierAPI

/// Lenient readers for request parameters: like the service (Perl), a number may come as a
/// JSON number or a numeric string, and a 0/1 flag as a number, a string or a boolean.
/// A present value of the wrong type is an error naming the parameter.
struct APIParameters: Sendable {
    let object: WireObject

    init(_ object: WireObject) { self.object = object }

    func has(_ key: String) -> Bool {
        if let value = object[key], value != .null { return true }
        return false
    }

    func int(_ key: String) throws(APIError) -> Int? {
        guard let value = object[key] else { return nil }
        switch value {
        case .null: return nil
        case .int(let number): return Int(exactly: number)
        case .double(let number) where number == number.rounded() && abs(number) < 1e15: return Int(number)
        case .string(let text):
            let trimmed = text.trimmingSpaces
            if trimmed.isEmpty { return nil }
            if let number = Int(trimmed) { return number }
        case .bool(let flag): return flag ? 1 : 0
        default: break
        }
        throw .invalidParameter(key)
    }

    /// A 0/1 flag.
    func flag(_ key: String) throws(APIError) -> Int? {
        guard let number = try int(key) else { return nil }
        guard number == 0 || number == 1 else { throw .invalidParameter(key) }
        return number
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let value = object[key] else { return nil }
        switch value {
        case .null: return nil
        case .string(let text): return text
        case .int(let number): return String(number)
        default: throw .invalidParameter(key)
        }
    }

    /// A date in 1fichier's form, `YYYY-MM-DD HH:MM:SS`; an empty string counts as absent.
    func date(_ key: String) throws(APIError) -> String? {
        guard let text = try string(key)?.trimmingSpaces, !text.isEmpty else { return nil }
        guard ParisWallSecond(text) != nil else { throw .invalidParameter(key) }
        return text
    }

    func strings(_ key: String) throws(APIError) -> [String]? {
        guard let value = object[key] else { return nil }
        switch value {
        case .null: return nil
        case .string(let text): return [text]
        case .array(let elements):
            var out: [String] = []
            for element in elements {
                guard case .string(let text) = element else { throw .invalidParameter(key) }
                out.append(text)
            }
            return out
        default: throw .invalidParameter(key)
        }
    }

    func objects(_ key: String) throws(APIError) -> [WireObject]? {
        guard let value = object[key] else { return nil }
        switch value {
        case .null: return nil
        case .object(let single): return [single]
        case .array(let elements):
            var out: [WireObject] = []
            for element in elements {
                guard case .object(let member) = element else { throw .invalidParameter(key) }
                out.append(member)
            }
            return out
        default: throw .invalidParameter(key)
        }
    }

    func object(_ key: String) throws(APIError) -> WireObject? {
        guard let value = object[key] else { return nil }
        switch value {
        case .null: return nil
        case .object(let member): return member
        default: throw .invalidParameter(key)
        }
    }

    /// A folder id: absent or null means the root.
    func folderID(_ key: String = "folder_id") throws(APIError) -> Int {
        try int(key) ?? 0
    }
}
