/// Reads an API answer: the JSON object of a success, or the classified error. A non-2xx
/// status, or a 2xx whose `status` is "KO", is an error; HTML or anything else where JSON was
/// due is a `provider_protocol` error.
enum ResponseInterpreter {
    static func object(from response: HTTPResponse) throws(FichierError) -> JSONValue {
        let json = looksLikeJSON(response.body) ? try? JSONValue.parse(response.body) : nil
        if let json, json.objectValue != nil {
            let status = json.member("status")?.stringValue?.trimmingSpaces.uppercased()
            let message = json.member("message")?.stringValue
            if !response.isSuccess || status == "KO" {
                throw FichierError.provider(httpStatus: response.status, message: message)
            }
            return json
        }
        if !response.isSuccess {
            throw FichierError.provider(httpStatus: response.status, message: HTMLText.summary(response.body))
        }
        let what: String
        if response.body.isEmpty {
            what = "an empty body"
        } else if json != nil {
            what = "JSON that is not an object"
        } else if HTMLText.isHTML(response.body) {
            what = "an HTML page"
        } else {
            what = "something that is not JSON"
        }
        throw FichierError(.providerProtocol, "1fichier answered \(what) where JSON was due",
                           provider: FichierError.Provider(httpStatus: response.status, code: nil,
                                                           message: HTMLText.summary(response.body)))
    }

    static func looksLikeJSON(_ body: [UInt8]) -> Bool {
        guard let first = body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            return false
        }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }
}
