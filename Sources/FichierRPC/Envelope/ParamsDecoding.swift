import Foundation

/// Decodes a request's `params` object into a handler's parameter type, turning a
/// `DecodingError` into -32602 that names the offending field.
enum ParamsDecoding {
    private static let emptyObject = Data("{}".utf8)

    static func decode<P: Decodable>(_ type: P.Type, from line: UnsafeBufferPointer<UInt8>,
                                     range: Range<Int>?, decoder: JSONDecoder) throws(RPCError) -> P {
        let data = range.map { Data(UnsafeBufferPointer(rebasing: line[$0])) } ?? emptyObject
        do {
            return try decoder.decode(P.self, from: data)
        } catch let error as RPCError {
            throw error
        } catch let error as DecodingError {
            let problem = problem(from: error)
            throw RPCError.invalidParams(path: problem.path, problem: problem.problem)
        } catch {
            throw RPCError.invalidParams(path: "", problem: String(describing: error))
        }
    }

    static func problem(from error: DecodingError) -> ParamProblem {
        switch error {
        case .keyNotFound(let key, let context):
            return ParamProblem(path: path(context.codingPath + [key]), problem: "missing required field")
        case .typeMismatch(let type, let context):
            return ParamProblem(path: path(context.codingPath), problem: "expected \(describe(type))")
        case .valueNotFound(let type, let context):
            return ParamProblem(path: path(context.codingPath), problem: "expected \(describe(type)), got null")
        case .dataCorrupted(let context):
            return ParamProblem(path: path(context.codingPath), problem: context.debugDescription)
        @unknown default:
            return ParamProblem(path: "", problem: String(describing: error))
        }
    }

    /// `items[2].local` style, relative to params.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == String(index) {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type, is UInt32.Type,
             is Int16.Type, is UInt16.Type, is Int8.Type, is UInt8.Type:
            return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is RequestID.Type: return "a string or an integer"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array<") || name.hasPrefix("[") { return "an array" }
            if name.hasPrefix("Dictionary<") { return "an object" }
            return "an object"
        }
    }
}
