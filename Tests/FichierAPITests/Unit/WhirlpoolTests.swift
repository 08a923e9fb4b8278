import Foundation
import Testing
@testable import FichierAPI

/// ISO/IEC 10118-3 / NESSIE test vectors for Whirlpool (the final 2003 version).
@Suite struct WhirlpoolTests {
    static let vectors: [(String, String)] = [
        ("", "19fa61d75522a4669b44e39c1d2e1726c530232130d407f89afee0964997f7a73e83be698b288febcf88e3e03c4f0757ea8964e59b63d93708b138cc42a66eb3"),
        ("a", "8aca2602792aec6f11a67206531fb7d7f0dff59413145e6973c45001d0087b42d11bc645413aeff63a42391a39145a591a92200d560195e53b478584fdae231a"),
        ("abc", "4e2448a4c6f486bb16b6562c73b4020bf3043e3a731bce721ae1b303d97e6d4c7181eebdb6c57e277d0e34957114cbd6c797fc9d95d8b582d225292076d4eef5"),
        ("message digest", "378c84a4126e2dc6e56dcc7458377aac838d00032230f53ce1f5700c0ffb4d3b8421557659ef55c106b4b52ac5a4aaa692ed920052838f3362e86dbd37a8903e"),
        ("abcdefghijklmnopqrstuvwxyz", "f1d754662636ffe92c82ebb9212a484a8d38631ead4238f5442ee13b8054e41b08bf2a9251c30b6a0b8aae86177ab4a6f68f673e7207865d5d9819a3dba4eb3b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "dc37e008cf9ee69bf11f00ed9aba26901dd7c28cdec066cc6af42e40f82f3a1e08eba26629129d8fb7cb57211b9281a65517cc879d7b962142c65f5a7af01467"),
        (String(repeating: "1234567890", count: 8), "466ef18babb0154d25b9d38a6414f5c08784372bccb204d6549c4afadb6014294d5bd8df2a6c44e538cd047b2681a51a2c60481e88c5a20b2c2a80cf3a9a083b"),
        ("abcdbcdecdefdefgefghfghighijhijk", "2a987ea40f917061f5d6f0a0e4644f488a7a5a52deee656207c562f988e95c6916bdc8031bc5be1b7b947639fe050b56939baaa0adff9ae6745b7b181c3be3fd"),
        ("The quick brown fox jumps over the lazy dog", "b97de512e91e3828b40d2b0fdce9ceb3c4a71f9bea8d88e75c4fa854df36725fd2b52eb6544edcacd6f8beddfea403cb55ae31f03ad62a5ef54e42ee82c3fb35"),
    ]

    @Test(arguments: 0..<vectors.count)
    func knownAnswer(_ index: Int) {
        let (input, expected) = Self.vectors[index]
        #expect(Whirlpool.hex(of: Array(input.utf8)) == expected)
    }

    @Test func millionA() {
        let hasher = Whirlpool()
        let block = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { block.withUnsafeBytes { hasher.update($0) } }
        #expect(hasher.finalize() == "0c99005beb57eff50a7cf005560ddf5d29057fd86b20bfd62deca0f1ccea4af51fc15490eddc47af32bb2b66c34ff9ad8c6008ad677f77126953b226e4ed8b01")
    }

    @Test func incrementalEqualsOneShotAndFinalizeIsStable() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let hasher = Whirlpool()
        var offset = 0
        for size in [1, 63, 64, 65, 1000, 4096] where offset < data.count {
            let end = min(data.count, offset + size)
            data[offset..<end].withUnsafeBytes { hasher.update($0) }
            offset = end
        }
        data[offset...].withUnsafeBytes { hasher.update($0) }
        let first = hasher.finalize()
        #expect(first == Whirlpool.hex(of: data))
        #expect(hasher.finalize() == first)
        #expect(first.count == 128)
    }

    @Test func fileDigest() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wp-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let data = Array(String(repeating: "1234567890", count: 8).utf8)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(data)))
        #expect(try Whirlpool.hex(ofFileAt: path) == Self.vectors[6].1)
        #expect(throws: FichierError.self) { try Whirlpool.hex(ofFileAt: path + ".missing") }
    }
}
