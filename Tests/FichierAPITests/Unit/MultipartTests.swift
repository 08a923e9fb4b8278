import Testing
@testable import FichierAPI

@Suite struct MultipartTests {
    func drain(_ reader: any ByteReader, chunk: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if count == 0 { return output }
            output += buffer[0..<count]
        }
    }

    @Test(arguments: [1, 7, 64, 4096])
    func framesExactlyWhateverTheChunkSize(_ chunk: Int) throws {
        let file = BytesUploadBody(Array("hello, world".utf8))
        let body = MultipartUploadBody(file: file, filename: "ré＂sumé.txt", folder: 3361075, boundary: "----fichierB")
        let bytes = try drain(try body.makeReader(), chunk: chunk)
        #expect(Int64(bytes.count) == body.length)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text == "------fichierB\r\nContent-Disposition: form-data; name=\"did\"\r\n\r\n3361075\r\n"
            + "------fichierB\r\nContent-Disposition: form-data; name=\"file[]\"; filename=\"ré＂sumé.txt\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\nhello, world\r\n------fichierB--\r\n")
        #expect(body.contentType == "multipart/form-data; boundary=----fichierB")
    }

    @Test func freshReaderPerAttempt() throws {
        let body = MultipartUploadBody(file: BytesUploadBody([1, 2, 3]), filename: "x", folder: 0)
        let first = try drain(try body.makeReader(), chunk: 5)
        let second = try drain(try body.makeReader(), chunk: 3)
        #expect(first == second)
        #expect(body.boundary.hasPrefix("----fichier") && body.boundary.count == 43)
    }

    final class LyingBody: UploadBody, @unchecked Sendable {
        let length: Int64
        let actual: Int
        init(length: Int64, actual: Int) { self.length = length; self.actual = actual }
        func makeReader() throws -> any ByteReader { BytesReader([UInt8](repeating: 9, count: actual)) }
    }

    @Test func sourceShorterOrLongerThanAnnouncedFails() {
        for (length, actual) in [(10, 4), (4, 10)] {
            let body = MultipartUploadBody(file: LyingBody(length: Int64(length), actual: actual), filename: "x", folder: 0)
            do {
                _ = try drain(try body.makeReader(), chunk: 3)
                Issue.record("no error for \(actual) bytes announced as \(length)")
            } catch {
                #expect((error as? FichierError)?.kind == .localIO)
            }
        }
    }

    @Test func xidFromLocation() {
        #expect(FichierClient.xid(fromLocation: "/end.pl?xid=Fhl1aZERQv") == "Fhl1aZERQv")
        #expect(FichierClient.xid(fromLocation: "https://up2.1fichier.com/end.pl?a=1&xid=AbC9") == "AbC9")
        #expect(FichierClient.xid(fromLocation: "/end.pl") == nil)
        #expect(FichierClient.xid(fromLocation: "/end.pl?xid=../x") == nil)
    }

    @Test func contentRangeParsing() {
        #expect(CheckedDownloadSink.parseContentRange("bytes 10-19/100")! == (10, 19, 100))
        #expect(CheckedDownloadSink.parseContentRange("bytes 0-0/*")! == (0, 0, nil))
        #expect(CheckedDownloadSink.parseContentRange("bytes 5-4/10") == nil)
        #expect(CheckedDownloadSink.parseContentRange("items 1-2/3") == nil)
    }
}
