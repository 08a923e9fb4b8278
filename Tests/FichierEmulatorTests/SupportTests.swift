import Foundation
import Testing
@testable import FichierEmulator

@Suite struct WireJSONTests {
    @Test func parsesAndSerialisesWithTypesAndOrderKept() throws {
        let text = #"{"b":1,"a":[true,null,1.5,"x\u00e9\n\"/"],"c":{"d":-12}}"#
        let value = try WireJSON.parse(Array(text.utf8))
        #expect(value.objectValue?.keys == ["b", "a", "c"])
        #expect(String(decoding: value.serialized(), as: UTF8.self) == #"{"b":1,"a":[true,null,1.5,"xé\n\"/"],"c":{"d":-12}}"#)
    }

    @Test func refusesInvalidJSON() {
        for text in ["", "{", "{\"a\":}", "[1,]", "{'a':1}", "01", "\"\u{1}\"", "{} x", "\"\\ud800\""] {
            #expect(throws: WireJSON.ParseError.self, "\(text)") { try WireJSON.parse(Array(text.utf8)) }
        }
    }

    @Test func prettyUsesThreeSpaces() {
        let value: WireJSON = ["url": "up.example", "id": "abc"]
        #expect(String(decoding: value.serialized(pretty: true), as: UTF8.self) == "{\n   \"url\" : \"up.example\",\n   \"id\" : \"abc\"\n}\n")
    }
}

@Suite struct SmallPartsTests {
    @Test func frenchSizes() {
        #expect(FrenchSize.format(2) == "2 o")
        #expect(FrenchSize.format(1_178) == "1.15 Ko")
        #expect(FrenchSize.format(5_000_000) == "4.77 Mo")
        #expect(FrenchSize.format(1 << 30) == "1.00 Go")
    }

    @Test func byteRanges() {
        #expect(ByteRange.resolve(nil, size: 10) == .whole)
        #expect(ByteRange.resolve("bytes=0-4", size: 10) == .partial(start: 0, end: 4))
        #expect(ByteRange.resolve("bytes=5-", size: 10) == .partial(start: 5, end: 9))
        #expect(ByteRange.resolve("bytes=-3", size: 10) == .partial(start: 7, end: 9))
        #expect(ByteRange.resolve("bytes=-30", size: 10) == .partial(start: 0, end: 9))
        #expect(ByteRange.resolve("bytes=8-100", size: 10) == .partial(start: 8, end: 9))
        #expect(ByteRange.resolve("bytes=10-", size: 10) == .unsatisfiable)
        #expect(ByteRange.resolve("bytes=-0", size: 10) == .unsatisfiable)
        #expect(ByteRange.resolve("bytes=0-1,4-5", size: 10) == .whole)
        #expect(ByteRange.resolve("items=0-1", size: 10) == .whole)
        #expect(ByteRange.resolve("bytes=5-2", size: 10) == .whole)
    }

    @Test func contentDisposition() throws {
        let parsed = try #require(ContentDisposition(parsing: #"form-data; name="file[]"; filename="a \"b\".txt""#))
        #expect(parsed.type == "form-data")
        #expect(parsed.parameter("name") == .init(name: "name", value: "file[]", quoted: true))
        #expect(parsed.fileName == #"a "b".txt"#)
        let unquoted = try #require(ContentDisposition(parsing: "form-data; name=file"))
        #expect(unquoted.parameter("name")?.quoted == false)
        let extended = try #require(ContentDisposition(parsing: #"attachment; filename="x"; filename*=UTF-8''%C3%A9t%C3%A9.txt"#))
        #expect(extended.fileName == "été.txt")
        #expect(ContentDisposition(parsing: #"form-data; name="unterminated"#) == nil)
    }

    @Test func fileURLs() {
        #expect(FileURL.id(from: "https://1fichier.com/?2zk52quqlm0cbjr93ri5") == "2zk52quqlm0cbjr93ri5")
        #expect(FileURL.id(from: "http://www.1fichier.com/?k97o8igxxx&af=1") == "k97o8igxxx")
        #expect(FileURL.id(from: "https://alterupload.com/?abcde12345") == "abcde12345")
        #expect(FileURL.id(from: "https://example.com/?abcde12345") == nil)
        #expect(FileURL.id(from: "https://1fichier.com/?ab") == nil)
        #expect(FileURL.id(from: "1fichier.com/?abcde12345") == nil)
        #expect(FileURL.make(id: "abcde12345") == "https://1fichier.com/?abcde12345")
        #expect(FileURL.make(id: "abcde12345", domain: 1) == "https://alterupload.com/?abcde12345")
    }

    @Test func names() {
        #expect(NameRules.isValid("report 2026.pdf"))
        #expect(NameRules.isValid("été ＜fullwidth＞"))
        for bad in ["", ".", "..", " lead", "trail ", "a/b", "a\\b", "a<b", "a>b", "a\"b", "a'b", "a$b", "a`b", "a\u{1}b",
                    String(repeating: "x", count: 251)] {
            #expect(!NameRules.isValid(bad), "\(bad)")
        }
    }

    @Test func identifiers() {
        let id = RandomIdentifiers.fileID()
        #expect(id.count == 20 && id.allSatisfy { $0.isLowercase || $0.isNumber } && id.allSatisfy { $0.isASCII })
        let upload = RandomIdentifiers.uploadID()
        #expect(upload.count == 10 && upload.allSatisfy { $0.isLetter || $0.isNumber } && upload.allSatisfy { $0.isASCII })
    }
}
