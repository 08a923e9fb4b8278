import Testing
@testable import FichierAPI

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws(JSONParser.Failure) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    private func failure(_ text: String) -> JSONParser.Failure? {
        failure(Array(text.utf8))
    }

    private func failure(_ bytes: [UInt8]) -> JSONParser.Failure? {
        do {
            let value = try JSONParser.parse(bytes)
            Issue.record("parsed as \(value)")
            return nil
        } catch {
            return error
        }
    }

    @Test func scalarsAndWhitespace() throws {
        #expect(try parse("null") == .null)
        #expect(try parse(" \t\r\ntrue\n") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse(#""x""#) == .string("x"))
        #expect(try parse(#""""#) == .string(""))
    }

    @Test func integers() throws {
        #expect(try parse("0") == .integer(0))
        #expect(try parse("-0") == .integer(0))
        #expect(try parse("12") == .integer(12))
        #expect(try parse("-12") == .integer(-12))
        #expect(try parse("9223372036854775807") == .integer(.max))
        #expect(try parse("-9223372036854775808") == .integer(.min))
        // Integral values written with a fraction or an exponent are integers too.
        #expect(try parse("12.0") == .integer(12))
        #expect(try parse("1e2") == .integer(100))
        #expect(try parse("1E+2") == .integer(100))
        #expect(try parse("-2.50e1") == .integer(-25))
    }

    @Test func otherNumbers() throws {
        #expect(try parse("1.5") == .number(1.5))
        #expect(try parse("-1.5e-3") == .number(-0.0015))
        #expect(try parse("2.5E-1") == .number(0.25))
        #expect(try parse("0.1") == .number(0.1))
        // Beyond Int64: a Double.
        #expect(try parse("9223372036854775808") == .number(0x1p63))
        #expect(try parse("-9223372036854775809") == .number(-0x1p63))  // rounded: not Int64.min
        #expect(try parse("1e300") == .number(1e300))
        #expect(try parse("123456789012345678901234567890") == .number(1.2345678901234568e29))
    }

    @Test func malformedNumbers() {
        for text in ["01", "-01", "-", "2.", ".5", "1e", "1e+", "+1", "0x10", "1.e3", "--1", "-a", "1e400", "-1e400"] {
            #expect(failure(text) != nil, "\(text)")
        }
        #expect(failure("01")?.reason == "leading zero in a number")
        #expect(failure("1e400")?.reason == "number out of range")
    }

    @Test func escapes() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(try parse(#""caf\u00e9 \u00E9""#) == .string("café é"))
        #expect(try parse(#""a\u0000b""#) == .string("a\u{0}b"))
        #expect(try parse(#""\u20ac""#) == .string("€"))
        // Text before and after an escape, with raw UTF-8 on both sides.
        #expect(try parse(#""é\n😀""#) == .string("é\n😀"))
    }

    @Test func surrogatePairs() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""x\uD834\uDD1Ey""#) == .string("x𝄞y"))
        #expect(try parse(#""\udbff\udfff""#) == .string("\u{10FFFF}"))
        for text in [#""\ud83d""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\ude00""#, #""\ud83d\ud83d""#, #""\ud83d\n""#] {
            #expect(failure(text)?.reason == "unpaired surrogate in a \\u escape", "\(text)")
        }
    }

    @Test func badStrings() {
        #expect(failure(#""\x""#)?.reason == "invalid escape '\\x'")
        #expect(failure(#""\u12G4""#)?.reason == "invalid hex digit in a \\u escape")
        #expect(failure(#""\u12""#) != nil)
        #expect(failure("\"a\u{1}b\"")?.reason == "unescaped control character in a string")
        #expect(failure("\"a\nb\"")?.reason == "unescaped control character in a string")
        #expect(failure(#""abc"#)?.reason == "the document ends early")
        #expect(failure(#""abc\"#)?.reason == "the document ends early")
    }

    @Test func utf8IsValidated() throws {
        #expect(try parse("\"é😀\"") == .string("é😀"))
        #expect(failure([0x22, 0xFF, 0x22])?.reason == "invalid UTF-8 in a string")
        #expect(failure([0x22, 0xC0, 0x80, 0x22])?.reason == "invalid UTF-8 in a string")           // overlong
        #expect(failure([0x22, 0xE2, 0x82, 0x22])?.reason == "invalid UTF-8 in a string")           // truncated
        #expect(failure([0x22, 0xED, 0xA0, 0x80, 0x22])?.reason == "invalid UTF-8 in a string")     // surrogate
        #expect(failure([0x22, 0x5C, 0x6E, 0xFF, 0x22])?.reason == "invalid UTF-8 in a string")     // after an escape
    }

    @Test func containers() throws {
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{ }") == .object([:]))
        #expect(try parse(" [ 1 , [ ] , { } , \"x\" ] ") == .array([1, .array([]), .object([:]), "x"]))
        let value = try parse(#"{"a":{"b":[true,null,{"c":-1.5}]},"d":"e","":0}"#)
        #expect(value == ["a": ["b": [true, nil, ["c": -1.5]]], "d": "e", "": 0])
        // The first of repeated names wins.
        #expect(try parse(#"{"a":1,"a":2}"#) == ["a": 1])
    }

    @Test func malformedContainers() {
        let cases: [(String, String)] = [
            ("[1,]", "unexpected character ']'"),
            (#"{"a":1,}"#, "unexpected character '}' where a member name was due"),
            ("[1 2]", "unexpected character '2' where ',' or ']' was due"),
            (#"{"a" 1}"#, "unexpected character '1' where ':' was due"),
            (#"{"a":1]"#, "unexpected character ']' where ',' or '}' was due"),
            ("{1:2}", "unexpected character '1' where a member name was due"),
            ("[1", "the document ends early"),
            (#"{"a":"#, "the document ends early"),
            ("[1] x", "unexpected character 'x'"),
            ("", "the document ends early"),
            ("   ", "the document ends early"),
            ("<html>", "unexpected character '<'"),
            ("nul", "the document ends early"),
            ("nulL", "unexpected character 'L'"),
            ("[tru]", "unexpected character ']'"),
        ]
        for (text, reason) in cases {
            #expect(failure(text)?.reason == reason, "\(text)")
        }
        #expect(failure("[1,]")?.offset == 3)
    }

    @Test func byteOrderMarkIsSkipped() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .array([1]))
    }

    @Test func nestingLimit() throws {
        let limit = JSONParser.maxDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        var value = try parse(deepest)
        var depth = 0
        while case .array(let inner) = value {
            depth += 1
            value = inner.first ?? .null
        }
        #expect(depth == limit)
        let objects = String(repeating: #"{"a":"#, count: limit) + "1" + String(repeating: "}", count: limit)
        #expect(try parse(objects) != .null)

        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(failure(tooDeep)?.reason == "containers nested deeper than \(limit)")
        // Far deeper than any stack would take if the parser recursed: still just an error.
        #expect(failure(String(repeating: "[", count: 1_000_000)) != nil)
        #expect(failure(String(repeating: #"{"a":"#, count: 200_000)) != nil)
    }

    @Test func anyCollectionOfBytes() throws {
        // Not contiguous: the parser copies it first.
        let reversed = Array(#"]"y",1,llun["#.utf8).reversed()
        #expect(try JSONParser.parse(reversed) == .array([nil, 1, "y"]))
        #expect(try JSONParser.parse(Array("[[7]]".utf8)[1..<4]) == .array([7]))
    }

    @Test func roundTripsTheSerializer() throws {
        var items: [JSONValue] = []
        for index in 0..<2_000 {
            items.append([
                "filename": .string("file-\(index) é \"q\" \\ \u{1} 😀"),
                "size": .integer(Int64(index) * 1_048_573 - 7),
                "ratio": .number(Double(index) + 0.25),
                "pass": .integer(Int64(index % 2)),
                "acl": index % 3 == 0 ? .null : .bool(index % 3 == 1),
                "tags": .array([.string("a"), .integer(-1), .object([:])]),
            ])
        }
        let document: JSONValue = ["status": "OK", "count": .integer(Int64(items.count)), "items": .array(items)]
        #expect(try JSONParser.parse(document.serialized()) == document)
    }

    @Test func invalidJSONIsAProtocolErrorWithThePlace() {
        do {
            _ = try JSONValue.parse(Array(#"{"status":"OK",}"#.utf8))
            Issue.record("parsed")
        } catch {
            #expect(error.kind == .providerProtocol)
            #expect(error.message.contains("at byte 15"))
        }
    }
}
