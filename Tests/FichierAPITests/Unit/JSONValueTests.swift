import Testing
@testable import FichierAPI

@Suite struct JSONValueTests {
    @Test func keepsIntegersBooleansAndDoublesApart() throws {
        let value = try JSONValue.parse(Array(#"{"i":12,"d":1.5,"b":true,"n":null,"s":"x","big":5000000000,"a":[1,"2"]}"#.utf8))
        #expect(value["i"] == .integer(12) && value["d"] == .number(1.5) && value["b"] == .bool(true))
        #expect(value["n"] == .null && value["s"] == .string("x") && value["big"] == .integer(5_000_000_000))
        #expect(value["a"] == .array([.integer(1), .string("2")]))
    }

    @Test func lenientScalars() {
        #expect(JSONValue.string(" 42 ").int64Value == 42)
        #expect(JSONValue.string("12.0").int64Value == 12)
        #expect(JSONValue.number(3).int64Value == 3 && JSONValue.number(3.5).int64Value == nil)
        #expect(JSONValue.string("0.00").doubleValue == 0)
        #expect(JSONValue.string("1").boolValue == true && JSONValue.string("0").boolValue == false)
        #expect(JSONValue.integer(0).boolValue == false && JSONValue.string("").boolValue == false)
        #expect(JSONValue.integer(7).stringValue == "7" && JSONValue.number(7).stringValue == "7")
        #expect(JSONValue.null.int64Value == nil && JSONValue.string("abc").int64Value == nil)
    }

    @Test func caseInsensitiveMembersAndAlternatives() {
        let value: JSONValue = ["Status": "KO", "content_type": "text/plain", "x": nil]
        #expect(value["status"] == .string("KO"))
        #expect(value.member("content-type", "content_type") == .string("text/plain"))
        #expect(value.member("x") == nil)
        #expect(JSONValue.array([]).member("x") == nil)
    }

    @Test func serialization() throws {
        let value: JSONValue = ["url": "https://1fichier.com/?a", "n": 3, "s": "q\"\\\n\u{1}é", "list": [true, nil]]
        let text = String(decoding: value.serialized(), as: UTF8.self)
        #expect(text == #"{"list":[true,null],"n":3,"s":"q\"\\\n\u0001é","url":"https://1fichier.com/?a"}"#)
        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test func notJSONIsAProtocolError() {
        #expect(throws: FichierError.self) { try JSONValue.parse(Array("<html>".utf8)) }
        do {
            _ = try JSONValue.parse(Array("".utf8))
            Issue.record("an empty body parsed")
        } catch {
            #expect(error.kind == .providerProtocol)
        }
    }
}
