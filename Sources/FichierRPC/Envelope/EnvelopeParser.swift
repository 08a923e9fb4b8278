/// Reads the JSON-RPC 2.0 envelope of one line: `jsonrpc`, `id`, `method` and the byte range
/// of `params`. Strict about the envelope, indifferent to unknown members.
enum EnvelopeParser {
    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> Result<IncomingMessage, EnvelopeRejection> {
        var scanner = JSONScanner(line)
        scanner.skipWhitespace()
        guard let first = scanner.peek() else { return .success(.blank) }

        guard first == UInt8(ascii: "{") else {
            do throws(JSONScanner.Failure) {
                try scanner.skipValue()
                scanner.skipWhitespace()
                if let extra = scanner.peek() { throw scanner.unexpected(extra) }
            } catch {
                return .failure(parseRejection(error))
            }
            if first == UInt8(ascii: "[") {
                return .failure(EnvelopeRejection(
                    code: .invalidRequest, kind: "batch_unsupported",
                    message: "JSON-RPC batches are not supported; send one request per line", id: nil))
            }
            return .failure(EnvelopeRejection(
                code: .invalidRequest, kind: "not_a_request",
                message: "a message must be a JSON object", id: nil))
        }

        var fields = Fields()
        do throws(JSONScanner.Failure) {
            try readObject(&scanner, into: &fields)
            scanner.skipWhitespace()
            if let extra = scanner.peek() { throw scanner.unexpected(extra) }
        } catch {
            return .failure(parseRejection(error))
        }
        return classify(fields)
    }

    /// The request id, if the start of an overlong line lets one be read.
    static func idFromPrefix(_ prefix: UnsafeBufferPointer<UInt8>) -> RequestID? {
        var scanner = JSONScanner(prefix)
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "{") else { return nil }
        var fields = Fields()
        try? readObject(&scanner, into: &fields)
        if case .valid(let id) = fields.id { return id }
        return nil
    }

    // MARK: Reading

    enum IDField {
        case absent
        case valid(RequestID)
        case invalid(String)
    }

    enum ParamsField {
        case absent
        case object(Range<Int>)
        case array
        case other
    }

    struct Fields {
        var version: String?
        var versionPresent = false
        var id: IDField = .absent
        var method: String?
        var methodPresent = false
        var params: ParamsField = .absent
        var hasResultOrError = false
    }

    private static func readObject(_ scanner: inout JSONScanner, into fields: inout Fields) throws(JSONScanner.Failure) {
        try scanner.expect(UInt8(ascii: "{"))
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.position += 1
            return
        }
        while true {
            scanner.skipWhitespace()
            guard let quote = scanner.peek() else { throw .truncated }
            guard quote == UInt8(ascii: "\"") else { throw scanner.unexpected(quote) }
            let key = try scanner.readString()
            scanner.skipWhitespace()
            try scanner.expect(UInt8(ascii: ":"))
            scanner.skipWhitespace()
            guard let start = scanner.peek() else { throw .truncated }
            switch key {
            case "jsonrpc":
                fields.versionPresent = true
                if start == UInt8(ascii: "\"") {
                    fields.version = try scanner.readString()
                } else {
                    fields.version = nil
                    try scanner.skipValue()
                }
            case "id":
                fields.id = try readID(&scanner, startingWith: start)
            case "method":
                fields.methodPresent = true
                if start == UInt8(ascii: "\"") {
                    fields.method = try scanner.readString()
                } else {
                    fields.method = nil
                    try scanner.skipValue()
                }
            case "params":
                let begin = scanner.position
                try scanner.skipValue()
                switch start {
                case UInt8(ascii: "{"): fields.params = .object(begin..<scanner.position)
                case UInt8(ascii: "["): fields.params = .array
                case UInt8(ascii: "n"): fields.params = .absent
                default: fields.params = .other
                }
            case "result", "error":
                fields.hasResultOrError = true
                try scanner.skipValue()
            default:
                try scanner.skipValue()
            }
            scanner.skipWhitespace()
            guard let next = scanner.peek() else { throw .truncated }
            if next == UInt8(ascii: ",") {
                scanner.position += 1
            } else if next == UInt8(ascii: "}") {
                scanner.position += 1
                return
            } else {
                throw scanner.unexpected(next)
            }
        }
    }

    private static func readID(_ scanner: inout JSONScanner, startingWith start: UInt8) throws(JSONScanner.Failure) -> IDField {
        switch start {
        case UInt8(ascii: "\""):
            return .valid(.string(try scanner.readString()))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let (range, isInteger) = try scanner.scanNumber()
            // A number that runs to the end of the bytes may be cut short (overlong prefix).
            guard !scanner.isAtEnd else { throw .truncated }
            guard isInteger else { return .invalid("the id must be a string or an integer") }
            let text = String(decoding: UnsafeBufferPointer(rebasing: scanner.bytes[range]), as: UTF8.self)
            guard let value = Int64(text) else { return .invalid("the id is out of the 64-bit integer range") }
            return .valid(.integer(value))
        case UInt8(ascii: "n"):
            try scanner.skipValue()
            return .invalid("the id must not be null")
        default:
            try scanner.skipValue()
            return .invalid("the id must be a string or an integer")
        }
    }

    // MARK: Classifying

    private static func classify(_ fields: Fields) -> Result<IncomingMessage, EnvelopeRejection> {
        var id: RequestID?
        switch fields.id {
        case .absent: id = nil
        case .valid(let value): id = value
        case .invalid(let problem):
            return .failure(EnvelopeRejection(code: .invalidRequest, kind: "invalid_id", message: problem, id: nil))
        }
        guard fields.version == "2.0" else {
            let message = fields.versionPresent ? "jsonrpc must be \"2.0\"" : "missing \"jsonrpc\": \"2.0\""
            return .failure(EnvelopeRejection(code: .invalidRequest, kind: "invalid_version_field", message: message, id: id))
        }
        guard let method = fields.method else {
            if !fields.methodPresent && fields.hasResultOrError {
                return .failure(EnvelopeRejection(
                    code: .invalidRequest, kind: "not_a_request",
                    message: "the server sends no requests, so it expects no responses", id: id))
            }
            let message = fields.methodPresent ? "method must be a string" : "missing method"
            return .failure(EnvelopeRejection(code: .invalidRequest, kind: "missing_method", message: message, id: id))
        }
        let params: Range<Int>?
        switch fields.params {
        case .absent: params = nil
        case .object(let range): params = range
        case .array:
            return .failure(EnvelopeRejection(
                code: .invalidParams, kind: "invalid_params",
                message: "params must be an object (by-position params are not supported)", id: id))
        case .other:
            return .failure(EnvelopeRejection(
                code: .invalidRequest, kind: "invalid_params_type", message: "params must be an object", id: id))
        }
        if let id {
            return .success(.request(id: id, method: method, params: params))
        }
        return .success(.notification(method: method, params: params))
    }

    private static func parseRejection(_ failure: JSONScanner.Failure) -> EnvelopeRejection {
        switch failure {
        case .syntax(let message):
            return EnvelopeRejection(code: .parseError, kind: "parse_error", message: "parse error: \(message)", id: nil)
        case .truncated:
            return EnvelopeRejection(code: .parseError, kind: "parse_error", message: "parse error: the JSON value is incomplete", id: nil)
        case .tooDeep:
            return EnvelopeRejection(
                code: .invalidRequest, kind: "nesting_too_deep",
                message: "JSON nested deeper than \(JSONScanner.maxDepth) levels", id: nil)
        }
    }
}
