import Foundation
import Testing
@testable import FichierEmulator

/// Collects parser events for assertions.
final class RecordingHandler: MultipartPartHandler {
    struct Part: Equatable {
        var headers: [MultipartHeader]
        var body: [UInt8]
        var ended = false
    }

    var parts: [Part] = []
    var callsWithBytes = 0

    func partBegan(headers: [MultipartHeader]) throws { parts.append(Part(headers: headers, body: [])) }
    func partBytes(_ bytes: UnsafeRawBufferPointer) throws {
        callsWithBytes += 1
        parts[parts.count - 1].body.append(contentsOf: bytes)
    }
    func partEnded() throws { parts[parts.count - 1].ended = true }
}

@Suite struct MultipartParserTests {
    static let boundary = "------------------------d74496d66958873e"

    static func body(_ parts: [(headers: String, data: [UInt8])], boundary: String = boundary,
                     preamble: String = "", epilogue: String = "") -> [UInt8] {
        var out = Array(preamble.utf8)
        for part in parts {
            out += Array("--\(boundary)\r\n\(part.headers)\r\n\r\n".utf8)
            out += part.data
            out += Array("\r\n".utf8)
        }
        out += Array("--\(boundary)--\r\n\(epilogue)".utf8)
        return out
    }

    /// Feeds `bytes` in chunks given by `sizes` (cycled) and returns the handler.
    static func parse(_ bytes: [UInt8], chunkSizes sizes: [Int], boundary: String = boundary) throws -> RecordingHandler {
        let parser = try #require(MultipartParser(boundary: boundary))
        let handler = RecordingHandler()
        var offset = 0
        var index = 0
        while offset < bytes.count {
            let size = max(1, sizes[index % sizes.count])
            let end = min(bytes.count, offset + size)
            try bytes[offset..<end].withUnsafeBytes { try parser.feed($0, to: handler) }
            offset = end
            index += 1
        }
        try parser.finish()
        return handler
    }

    static let fileHeaders = #"Content-Disposition: form-data; name="file[]"; filename="a.bin""# + "\r\nContent-Type: application/octet-stream"

    @Test func parsesAFileAndAFieldInOneBuffer() throws {
        let data = Array("hello\r\nworld".utf8)
        let bytes = Self.body([(Self.fileHeaders, data), (#"Content-Disposition: form-data; name="did""#, Array("42".utf8))])
        let handler = try Self.parse(bytes, chunkSizes: [bytes.count])
        #expect(handler.parts.count == 2)
        #expect(handler.parts[0].body == data)
        #expect(handler.parts[0].headers.first?.name == "Content-Disposition")
        #expect(handler.parts[0].headers.count == 2)
        #expect(handler.parts[1].body == Array("42".utf8))
        #expect(handler.parts.allSatisfy { $0.ended })
    }

    @Test func everySplitPointGivesTheSameParts() throws {
        // Data full of near-delimiters: CRLF, "--", and the boundary minus its last character.
        let tricky = Array("\r\n\r\n--\r\n--\(Self.boundary.dropLast())X\r\n-\r\r\n--\(Self.boundary.dropLast())".utf8)
        let bytes = Self.body([(Self.fileHeaders, tricky), (Self.fileHeaders, Array("\r\n".utf8))])
        let whole = try Self.parse(bytes, chunkSizes: [bytes.count])
        #expect(whole.parts.map(\.body) == [tricky, Array("\r\n".utf8)])
        for split in 1..<bytes.count {
            let handler = try Self.parse(bytes, chunkSizes: [split, bytes.count])
            #expect(handler.parts == whole.parts, "split at \(split)")
        }
    }

    @Test func byteByByteAndOddChunkSizes() throws {
        var random = SystemRandomNumberGenerator()
        var data = (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        // Plant delimiter prefixes inside the data.
        let delimiter = Array("\r\n--\(Self.boundary)".utf8)
        for position in stride(from: 100, to: 19_000, by: 997) {
            let length = position % (delimiter.count - 1) + 1
            data.replaceSubrange(position..<(position + length), with: delimiter.prefix(length))
        }
        let bytes = Self.body([(Self.fileHeaders, data), (Self.fileHeaders, Array(data.prefix(333)))],
                              preamble: "This is the preamble.\r\n", epilogue: "epilogue text")
        for sizes in [[1], [2, 3, 5, 7], [45], [46], [47], [4096], [65_536]] {
            let handler = try Self.parse(bytes, chunkSizes: sizes)
            #expect(handler.parts.count == 2, "chunks \(sizes)")
            #expect(handler.parts.first?.body == data, "chunks \(sizes)")
            #expect(handler.parts.last?.body == Array(data.prefix(333)), "chunks \(sizes)")
        }
    }

    @Test func largeChunksAreHandedOnWithoutCopies() throws {
        let data = [UInt8](repeating: 0x41, count: 1 << 20)
        let bytes = Self.body([(Self.fileHeaders, data)])
        let handler = try Self.parse(bytes, chunkSizes: [256 * 1024])
        #expect(handler.parts.first?.body.count == data.count)
        // About one hand-over per buffer (plus the carried tail), not one per byte.
        #expect(handler.callsWithBytes <= 12)
    }

    @Test func emptyPartAndPartWithoutHeaders() throws {
        var bytes = Array("--\(Self.boundary)\r\n\r\nno headers here\r\n".utf8)
        bytes += Array("--\(Self.boundary)\r\n\(Self.fileHeaders)\r\n\r\n\r\n--\(Self.boundary)--".utf8)
        let handler = try Self.parse(bytes, chunkSizes: [3])
        #expect(handler.parts.count == 2)
        #expect(handler.parts[0].headers.isEmpty)
        #expect(handler.parts[0].body == Array("no headers here".utf8))
        #expect(handler.parts[1].body.isEmpty)
    }

    @Test func transportPaddingAfterTheBoundaryIsAllowed() throws {
        let bytes = Array("--\(Self.boundary)  \t\r\n\(Self.fileHeaders)\r\n\r\nxyz\r\n--\(Self.boundary)--".utf8)
        let handler = try Self.parse(bytes, chunkSizes: [5])
        #expect(handler.parts.first?.body == Array("xyz".utf8))
    }

    @Test func truncatedBodyIsAnError() throws {
        let bytes = Array("--\(Self.boundary)\r\n\(Self.fileHeaders)\r\n\r\nxyz".utf8)
        let parser = try #require(MultipartParser(boundary: Self.boundary))
        let handler = RecordingHandler()
        try bytes.withUnsafeBytes { try parser.feed($0, to: handler) }
        #expect(throws: MultipartParser.Failure.truncated) { try parser.finish() }
        #expect(handler.parts.first?.ended == false)
    }

    @Test func garbageAfterABoundaryIsAnError() throws {
        let bytes = Array("--\(Self.boundary)X\r\n".utf8)
        let parser = try #require(MultipartParser(boundary: Self.boundary))
        #expect(throws: MultipartParser.Failure.self) {
            try bytes.withUnsafeBytes { try parser.feed($0, to: RecordingHandler()) }
        }
    }

    @Test func oversizedHeadersAreAnError() throws {
        let bytes = Array("--\(Self.boundary)\r\nX-Long: \(String(repeating: "a", count: 20_000))\r\n\r\n".utf8)
        let parser = try #require(MultipartParser(boundary: Self.boundary))
        #expect(throws: MultipartParser.Failure.headersTooLarge) {
            try bytes.withUnsafeBytes { try parser.feed($0, to: RecordingHandler()) }
        }
    }

    @Test func invalidBoundariesAreRefused() {
        #expect(MultipartParser(boundary: "") == nil)
        #expect(MultipartParser(boundary: String(repeating: "a", count: 71)) == nil)
        #expect(MultipartParser(boundary: "bad\"quote") == nil)
        #expect(MultipartParser(boundary: "ok-boundary_1") != nil)
    }

    @Test func headerFoldingAndCaseAreKept() throws {
        let headers = try MultipartParser.parseHeaders(Array("content-disposition: form-data;\r\n name=\"x\"\r\nX-A:b".utf8))
        #expect(headers == [MultipartHeader(name: "content-disposition", value: "form-data; name=\"x\""),
                            MultipartHeader(name: "X-A", value: "b")])
    }
}

@Suite struct BoundaryFinderTests {
    @Test func findsTheFirstMatchAndPartialTails() {
        let finder = BoundaryFinder(delimiter: Array("\r\n--abc".utf8))
        let text = Array("xx\r\n--ab\r\n--abc yy".utf8)
        let match = text.withUnsafeBytes { finder.firstMatch(in: $0) }
        #expect(match == 8)
        let tail = Array("data\r\n--a".utf8)
        #expect(tail.withUnsafeBytes { finder.partialMatchStart(in: $0) } == 4)
        let none = Array("data\r\nx".utf8)
        #expect(none.withUnsafeBytes { finder.partialMatchStart(in: $0) } == none.count)
    }

    @Test func agreesWithANaiveSearchOnRandomData() {
        var random = SystemRandomNumberGenerator()
        let delimiter = Array("\r\n--ab".utf8)
        let finder = BoundaryFinder(delimiter: delimiter)
        for _ in 0..<300 {
            let alphabet = Array("\r\n-ab".utf8)
            let data = (0..<200).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }
            var naive: Int?
            for start in 0...(data.count - delimiter.count) where Array(data[start..<(start + delimiter.count)]) == delimiter {
                naive = start
                break
            }
            #expect(data.withUnsafeBytes { finder.firstMatch(in: $0) } == naive)
        }
    }
}
