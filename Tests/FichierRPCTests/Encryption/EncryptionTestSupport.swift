import FichierAPI
import FichierCrypto
@testable import FichierRPC
import Foundation

/// Deterministic test bytes: byte i of a stream seeded `seed`.
enum TestPattern {
    static func bytes(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &+ ($0 >> 11)) }
    }
}

/// A download sink in memory.
final class MemorySink: DownloadSink, @unchecked Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var begun = 0
    private(set) var finished = false

    func begin(status: Int, headers: HTTPHeaders) throws {
        begun += 1
        bytes = []
        finished = false
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes += bytes
    }

    func finish() throws {
        finished = true
    }
}

/// A body whose reader yields `count` bytes in pieces of at most `piece`, and optionally
/// more or fewer than it announces.
struct PieceBody: UploadBody {
    let data: [UInt8]
    let announced: Int64
    let piece: Int

    init(_ data: [UInt8], announced: Int64? = nil, piece: Int = 7) {
        self.data = data
        self.announced = announced ?? Int64(data.count)
        self.piece = piece
    }

    var length: Int64 { announced }

    func makeReader() throws -> any ByteReader {
        PieceReader(data: data, piece: piece)
    }

    final class PieceReader: ByteReader {
        let data: [UInt8]
        let piece: Int
        var offset = 0

        init(data: [UInt8], piece: Int) {
            self.data = data
            self.piece = piece
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let count = min(buffer.count, piece, data.count - offset)
            guard count > 0 else { return 0 }
            for index in 0..<count { buffer[index] = data[offset + index] }
            offset += count
            return count
        }
    }
}

enum StageDriver {
    /// Everything a body's fresh reader produces, read in `bufferSize` pieces.
    static func drain(_ body: any UploadBody, bufferSize: Int = 100_000) throws -> [UInt8] {
        let reader = try body.makeReader()
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: bufferSize)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if count == 0 { break }
            output += buffer[0..<count]
        }
        return output
    }

    /// Feeds `bytes` through `sink` in pieces, as a transport would, then finishes.
    static func feed(_ bytes: [UInt8], into sink: any DownloadSink, piece: Int = 4_096) throws {
        try sink.begin(status: 200, headers: HTTPHeaders())
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + piece)
            try bytes[offset..<end].withUnsafeBytes { try sink.write($0) }
            offset = end
        }
        try sink.finish()
    }

    /// Plaintext of an age file for `identity` (fails on any error).
    static func decrypt(_ ciphertext: [UInt8], identity: X25519Identity) throws -> [UInt8] {
        var plain: [UInt8] = []
        let writer = AgeDecryptingWriter(identities: [identity]) { plain += $0 }
        try writer.write(ciphertext)
        try writer.finish()
        return plain
    }
}
