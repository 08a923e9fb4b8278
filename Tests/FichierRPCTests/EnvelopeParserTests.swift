@testable import FichierRPC
import Testing

@Suite("Envelope parsing")
struct EnvelopeParserTests {
    private func parse(_ text: String) -> Result<IncomingMessage, EnvelopeRejection> {
        parse(Array(text.utf8))
    }

    private func parse(_ bytes: [UInt8]) -> Result<IncomingMessage, EnvelopeRejection> {
        bytes.withUnsafeBufferPointer { EnvelopeParser.parse($0) }
    }

    private func rejection(_ text: String) -> EnvelopeRejection? {
        if case .failure(let rejection) = parse(text) { return rejection }
        return nil
    }

    @Test func readsARequestWithParams() throws {
        let line = #"{"jsonrpc":"2.0","id":7,"method":"fs/stat","params":{"path":"/a b","x":[1,{"y":null}]}}"#
        guard case .success(.request(let id, let method, let range?)) = parse(line) else {
            Issue.record("not a request")
            return
        }
        #expect(id == .integer(7))
        #expect(method == "fs/stat")
        let bytes = Array(line.utf8)
        #expect(String(decoding: bytes[range], as: UTF8.self) == #"{"path":"/a b","x":[1,{"y":null}]}"#)
    }

    @Test func readsStringIDsWithEscapesAndNotifications() {
        guard case .success(.request(let id, _, nil)) = parse(#"{"method":"ping","id":"a\"b\u00e9\ud83d\ude00","jsonrpc":"2.0"}"#) else {
            Issue.record("not a request")
            return
        }
        #expect(id == .string("a\"bé😀"))
        guard case .success(.notification("$/cancel", _)) = parse(#"{"jsonrpc":"2.0","method":"$/cancel","params":{"id":1}}"#) else {
            Issue.record("not a notification")
            return
        }
    }

    @Test func blankAndNullParams() {
        guard case .success(.blank) = parse("  \t ") else { Issue.record("not blank"); return }
        guard case .success(.request(_, _, nil)) = parse(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":null}"#) else {
            Issue.record("null params should be absent")
            return
        }
    }

    @Test(arguments: [
        ("not json", -32700, "parse_error"),
        (#"{"jsonrpc":"2.0","id":1,"method":"ping""#, -32700, "parse_error"),
        (#"{"jsonrpc":"2.0","id":1,"method":"ping"} x"#, -32700, "parse_error"),
        (#"{"jsonrpc":"2.0","id":01,"method":"ping"}"#, -32700, "parse_error"),
        (#"{"jsonrpc":"2.0","id":1,"method":"p\x"}"#, -32700, "parse_error"),
        (#"{"jsonrpc":"2.0","id":"\ud800","method":"ping"}"#, -32700, "parse_error"),
        ("[1,2]", -32600, "batch_unsupported"),
        (#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, -32600, "batch_unsupported"),
        ("42", -32600, "not_a_request"),
        (#""text""#, -32600, "not_a_request"),
        (#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, -32600, "invalid_id"),
        (#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#, -32600, "invalid_id"),
        (#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#, -32600, "invalid_id"),
        (#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#, -32600, "invalid_id"),
        (#"{"jsonrpc":"2.0","id":99999999999999999999,"method":"ping"}"#, -32600, "invalid_id"),
        (#"{"id":1,"method":"ping"}"#, -32600, "invalid_version_field"),
        (#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#, -32600, "invalid_version_field"),
        (#"{"jsonrpc":"2.0","id":1}"#, -32600, "missing_method"),
        (#"{"jsonrpc":"2.0","id":1,"method":3}"#, -32600, "missing_method"),
        (#"{"jsonrpc":"2.0","id":1,"result":{}}"#, -32600, "not_a_request"),
        (#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}"#, -32602, "invalid_params"),
        (#"{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}"#, -32600, "invalid_params_type"),
    ])
    func rejects(line: String, code: Int, kind: String) {
        let rejection = rejection(line)
        #expect(rejection?.code.rawValue == code, "\(line)")
        #expect(rejection?.kind == kind, "\(line)")
    }

    @Test func keepsTheIDOfAnInvalidRequestWhenItIsValid() {
        #expect(rejection(#"{"jsonrpc":"1.0","id":"k","method":"ping"}"#)?.id == .string("k"))
        #expect(rejection(#"{"jsonrpc":"2.0","id":4}"#)?.id == .integer(4))
        #expect(rejection(#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#)?.id == nil)
    }

    @Test func rejectsInvalidUTF8() {
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xFF]] {
            let line = Array(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":""#.utf8) + bad + Array(#""}}"#.utf8)
            guard case .failure(let rejection) = parse(line) else {
                Issue.record("accepted \(bad)")
                continue
            }
            #expect(rejection.code == .parseError)
        }
        let valid = Array(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"é€😀"}}"#.utf8)
        guard case .success = parse(valid) else { Issue.record("rejected valid UTF-8"); return }
    }

    @Test func limitsNestingWithoutRecursion() {
        let deep = #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":"# + String(repeating: "[", count: 100_000)
        #expect(rejection(deep)?.kind == "nesting_too_deep")
        let fine = #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":"# + String(repeating: "[", count: 100)
            + String(repeating: "]", count: 100) + "}}"
        guard case .success = parse(fine) else { Issue.record("rejected 100 levels"); return }
    }

    @Test func readsTheIDFromThePrefixOfAnOverlongLine() {
        func id(_ text: String) -> RequestID? {
            Array(text.utf8).withUnsafeBufferPointer { EnvelopeParser.idFromPrefix($0) }
        }
        #expect(id(#"{"jsonrpc":"2.0","id":42,"method":"x","params":{"data":"aaaa"#) == .integer(42))
        #expect(id(#"{"id":"up-1","params":{"data":"aaaa"#) == .string("up-1"))
        #expect(id(#"{"jsonrpc":"2.0","method":"x","params":{"data":"aaaa"#) == nil)
        #expect(id(#"{"jsonrpc":"2.0","id":12"#) == nil)  // the number may go on
        #expect(id(#"{"jsonrpc":"2.0","id":"abc"#) == nil)
        #expect(id("xxxx") == nil)
    }
}
