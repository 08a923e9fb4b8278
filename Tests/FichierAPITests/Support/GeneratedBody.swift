import Foundation
@testable import FichierAPI

/// A large deterministic body made on the fly: a 1 MiB pseudo-random block repeated, with the
/// block number written into the first 8 bytes of each block, so every MiB differs. Nothing
/// beyond the block is held in memory. Optionally hashes what it hands out.
struct GeneratedBody: UploadBody {
    static let blockSize = 1 << 20
    let length: Int64
    let block: [UInt8]
    let observer: (@Sendable (Int64) -> Void)?
    let digest: Locked<String?>?

    init(length: Int64, seed: UInt64 = 1, hashing: Bool = false, observer: (@Sendable (Int64) -> Void)? = nil) {
        self.length = length
        var state = seed | 1
        var bytes = [UInt8](repeating: 0, count: GeneratedBody.blockSize)
        for index in 0..<GeneratedBody.blockSize / 8 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            withUnsafeBytes(of: state.littleEndian) { raw in
                for offset in 0..<8 { bytes[index * 8 + offset] = raw[offset] }
            }
        }
        block = bytes
        self.observer = observer
        digest = hashing ? Locked(nil) : nil
    }

    func makeReader() throws -> any ByteReader {
        GeneratedReader(body: self)
    }

    /// The Whirlpool of the last complete pass, when hashing.
    var whirlpool: String? { digest?.current }

    /// The byte at `position`, for spot checks of downloads.
    func byte(at position: Int64) -> UInt8 {
        let blockIndex = position / Int64(Self.blockSize)
        let offset = Int(position % Int64(Self.blockSize))
        if offset < 8 {
            return withUnsafeBytes(of: UInt64(blockIndex).littleEndian) { $0[offset] }
        }
        return block[offset]
    }
}

final class GeneratedReader: ByteReader {
    private let body: GeneratedBody
    private var position: Int64 = 0
    private let hasher: Whirlpool?

    init(body: GeneratedBody) {
        self.body = body
        hasher = body.digest == nil ? nil : Whirlpool()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var written = 0
        while written < buffer.count && position < body.length {
            let offset = Int(position % Int64(GeneratedBody.blockSize))
            let count = Int(min(Int64(buffer.count - written), Int64(GeneratedBody.blockSize - offset), body.length - position))
            body.block.withUnsafeBytes { source in
                (buffer.baseAddress! + written).copyMemory(from: source.baseAddress! + offset, byteCount: count)
            }
            if offset < 8 {
                let blockIndex = UInt64(position / Int64(GeneratedBody.blockSize)).littleEndian
                withUnsafeBytes(of: blockIndex) { raw in
                    for index in offset..<min(8, offset + count) {
                        buffer[written + index - offset] = raw[index]
                    }
                }
            }
            hasher?.update(UnsafeRawBufferPointer(rebasing: buffer[written..<written + count]))
            written += count
            position += Int64(count)
        }
        if written > 0 { body.observer?(position) }
        if position == body.length, let hasher, written > 0 {
            body.digest?.withLock { $0 = hasher.finalize() }
        }
        return written
    }
}
