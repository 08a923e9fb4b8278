import Foundation
import Testing

/// One line the server wrote, parsed with Foundation's own JSON parser (independent of the
/// server's scanner), with accessors for the envelope.
struct Message: @unchecked Sendable, CustomStringConvertible {
    let line: String
    let object: [String: Any]

    init(line: String) throws {
        self.line = line
        let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
        guard let object = value as? [String: Any] else {
            throw HarnessError("not a JSON object: \(line)")
        }
        self.object = object
    }

    var description: String { line }

    /// `id` as written: Int for integers, String for strings, nil for null or absent.
    var id: AnyHashable? {
        switch object["id"] {
        case let number as NSNumber: return number.intValue
        case let string as String: return string
        default: return nil
        }
    }

    var hasNullID: Bool { object["id"] is NSNull }
    var method: String? { object["method"] as? String }
    var params: [String: Any]? { object["params"] as? [String: Any] }
    var result: [String: Any]? { object["result"] as? [String: Any] }
    var error: [String: Any]? { object["error"] as? [String: Any] }
    var errorCode: Int? { (error?["code"] as? NSNumber)?.intValue }
    var errorData: [String: Any]? { error?["data"] as? [String: Any] }
    var errorKind: String? { errorData?["kind"] as? String }
    var isResponse: Bool { object["result"] != nil || object["error"] != nil }
    var requestID: AnyHashable? {
        switch params?["requestId"] {
        case let number as NSNumber: return number.intValue
        case let string as String: return string
        default: return nil
        }
    }

    func int(_ key: String, in dictionary: [String: Any]?) -> Int? {
        (dictionary?[key] as? NSNumber)?.intValue
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
