import Testing
@testable import FichierAPI

@Suite struct ErrorClassificationTests {
    func answer(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders(), body: Array(body.utf8), bytesSent: 0, bytesReceived: 0)
    }

    func failure(_ status: Int, _ body: String) -> FichierError? {
        do {
            _ = try ResponseInterpreter.object(from: answer(status, body))
            return nil
        } catch {
            return error
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var status: Int
        var message: String
        var kind: FichierError.Kind
        var retryable: Bool
        var code: Int?
        var testDescription: String { "\(status) \(message)" }
    }

    static let cases: [Case] = [
        Case(status: 403, message: "Flood detected: IP Locked #374", kind: .rateLimited, retryable: true, code: 374),
        Case(status: 403, message: "Flood detected: User Locked #412", kind: .rateLimited, retryable: true, code: 412),
        Case(status: 403, message: "Flood detected: IP Locked #38", kind: .rateLimited, retryable: true, code: 38),
        Case(status: 404, message: "Resource not found #469", kind: .notFound, retryable: false, code: 469),
        Case(status: 401, message: "Not authenticated #247", kind: .authRejected, retryable: false, code: 247),
        Case(status: 200, message: "No file has been renamed #312", kind: .conflict, retryable: false, code: 312),
        Case(status: 403, message: "Resource not allowed #631", kind: .notAllowed, retryable: false, code: 631),
        Case(status: 403, message: "Invalid password. Resource not allowed #631", kind: .notAllowed, retryable: false, code: 631),
        Case(status: 403, message: "Owner locked #620", kind: .ownerLocked, retryable: false, code: 620),
        Case(status: 403, message: "Must be a customer (Premium, Access) #200", kind: .customerOnly, retryable: false, code: 200),
        Case(status: 403, message: "No such user #93", kind: .authRejected, retryable: false, code: 93),
        Case(status: 403, message: "Something odd #186", kind: .notAllowed, retryable: false, code: 186),
        Case(status: 403, message: "Something odd #555", kind: .notAllowed, retryable: true, code: 555),
        Case(status: 403, message: "Only 3 locations allowed at a time #700", kind: .accountRestricted, retryable: false, code: 700),
        Case(status: 403, message: "Content-Type not JSON #24", kind: .providerProtocol, retryable: false, code: 24),
        Case(status: 403, message: "Folder not empty #77", kind: .notEmpty, retryable: false, code: 77),
        Case(status: 403, message: "Not enough space: quota exceeded #301", kind: .quotaExceeded, retryable: false, code: 301),
        Case(status: 429, message: "Too many requests", kind: .rateLimited, retryable: true, code: nil),
        Case(status: 503, message: "Service unavailable", kind: .network, retryable: true, code: nil),
        Case(status: 500, message: "Resource not found #469", kind: .network, retryable: true, code: 469),
        Case(status: 403, message: "Invalid folder id #500", kind: .invalidArgument, retryable: false, code: 500),
        Case(status: 401, message: "Whatever #5", kind: .authRejected, retryable: false, code: 5),
    ]

    @Test(arguments: cases)
    func classifiesByTextAndStatus(_ expected: Case) throws {
        let body = #"{"status":"KO","message":"\#(expected.message)"}"#
        let error = try #require(failure(expected.status, body))
        #expect(error.kind == expected.kind)
        #expect(error.retryable == expected.retryable)
        #expect(error.provider?.code == expected.code)
        #expect(error.provider?.httpStatus == expected.status)
        #expect(error.provider?.message == expected.message)
    }

    @Test func floodIsRecognisedAsALock() throws {
        #expect(try #require(failure(403, #"{"status":"KO","message":"Flood detected: IP Locked #374"}"#)).isFloodLock)
        #expect(try #require(failure(429, #"{"status":"KO","message":"slow down"}"#)).isFloodLock == false)
    }

    @Test func successAndKOWithCapitalisedKeys() throws {
        let ok = try ResponseInterpreter.object(from: answer(200, #"{"status":"OK","removed":1}"#))
        #expect(ok["removed"] == .integer(1))
        let flat = try ResponseInterpreter.object(from: answer(200, #"{"url":"up2.1fichier.com","id":"Fhl1aZERQv"}"#))
        #expect(flat["id"] == .string("Fhl1aZERQv"))
        let error = try #require(failure(200, #"{"Status":"KO","Message":"No file has been renamed #312"}"#))
        #expect(error.kind == .conflict && error.provider?.code == 312)
    }

    @Test func htmlWhereJSONWasDue() throws {
        let page = "<html><head><title>Maintenance</title></head><body><div class=\"bloc2\">Please wait</div></body></html>"
        let ok = try #require(failure(200, page))
        #expect(ok.kind == .providerProtocol && ok.message.contains("HTML"))
        #expect(ok.provider?.message == "Please wait")
        let down = try #require(failure(502, "<html><title>502 Bad Gateway</title></html>"))
        #expect(down.kind == .network && down.retryable)
        #expect(down.provider?.message == "502 Bad Gateway")
        let empty = try #require(failure(200, ""))
        #expect(empty.kind == .providerProtocol && empty.message.contains("empty"))
        let array = try #require(failure(200, "[1,2]"))
        #expect(array.kind == .providerProtocol)
    }

    @Test func messagesNeverCarryTokenURLs() throws {
        let error = try #require(failure(403, #"{"status":"KO","message":"Link https://a-9.1fichier.com/c0ffeeSECRET expired"}"#))
        #expect(!error.message.contains("SECRET") && !(error.provider?.message ?? "").contains("SECRET"))
        #expect(!error.description.contains("SECRET"))
        #expect(Redaction.redactURLs("see https://1fichier.com/?abc123 now") == "see https://1fichier.com/?abc123 now")
        #expect(Redaction.redactURLs("at http://127.0.0.1:80/dl/tok") == "at <url>")
    }

    @Test func bloc2PagesOfTheUploadNode() {
        let failure = Array("""
        <html><body><div class="bloc1">x</div><div class="bloc2">  </div>
        <div class="bloc2"><p>Ne peut ouvrir le fichier destination</p></div></body></html>
        """.utf8)
        #expect(HTMLText.bloc2Message(failure) == "Ne peut ouvrir le fichier destination")
        let missing = Array("<div class=\"bloc2\">Pas de fichier trouv&eacute; dans l'envoi</div>".utf8)
        #expect(HTMLText.bloc2Message(missing) == "Pas de fichier trouvé dans l'envoi")
        #expect(HTMLText.bloc2Message(Array("<html>nothing</html>".utf8)) == nil)
    }

    @Test func codeExtraction() {
        #expect(FichierError.providerCode(in: "Flood detected: IP Locked #374") == 374)
        #expect(FichierError.providerCode(in: "Invalid password #12. Resource not allowed #631") == 631)
        #expect(FichierError.providerCode(in: "no number") == nil)
        #expect(FichierError.providerCode(in: "#") == nil)
    }
}
