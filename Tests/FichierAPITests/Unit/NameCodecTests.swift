import Testing
@testable import FichierAPI

@Suite struct NameCodecTests {
    static let table: [(String, String)] = [
        ("plain name.txt", "plain name.txt"),
        ("a\\b<c>d\"e'f$g`h/i", "a＼b＜c＞d＂e＇f＄g｀h／i"),
        (" lead", "␠lead"),
        ("trail ", "trail␠"),
        (" ", "␠"),
        ("  ", "␠␠"),
        ("mid dle", "mid dle"),
        (".", "．"),
        ("..", "．．"),
        ("...", "..."),
        ("tab\there", "tab␉here"),
        ("nul\u{0}x", "nul␀x"),
        ("del\u{7F}", "del␡"),
        ("line\r\nbreak", "line␍␊break"),
        // Names that already contain replacement characters are quoted with ‛.
        ("full＜width", "full‛＜width"),
        ("．", "‛．"),
        ("．．", "‛．‛．"),
        ("␠edge", "‛␠edge"),
        ("mid␠dle", "mid␠dle"),
        ("quote‛mark", "quote‛‛mark"),
        ("pic␀", "pic‛␀"),
        ("é café", "é café"),
    ]

    @Test(arguments: 0..<table.count)
    func mapsBothWays(_ index: Int) {
        let (name, wire) = Self.table[index]
        #expect(Array(NameCodec.encode(name).unicodeScalars) == Array(wire.unicodeScalars), "encode \(name)")
        #expect(Array(NameCodec.decode(wire).unicodeScalars) == Array(name.unicodeScalars), "decode \(wire)")
    }

    @Test func encodedNamesHoldNoReservedCharacter() {
        let reserved = Set("\\<>\"'$`/".unicodeScalars.map(\.value))
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let name = Self.randomName(using: &generator)
            let wire = NameCodec.encode(name)
            for scalar in wire.unicodeScalars {
                #expect(!reserved.contains(scalar.value) && scalar.value >= 0x20 && scalar.value != 0x7F,
                        "\(Self.dump(name)) → \(Self.dump(wire))")
            }
            if !name.isEmpty {
                #expect(wire.unicodeScalars.first != " " && wire.unicodeScalars.last != " ")
                #expect(wire != "." && wire != "..")
            }
        }
    }

    /// Property: decode(encode(x)) == x scalar for scalar, over strings biased towards the
    /// characters the codec treats specially.
    @Test func roundTripsRandomStrings() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<20_000 {
            let name = Self.randomName(using: &generator)
            let back = NameCodec.decode(NameCodec.encode(name))
            #expect(Array(back.unicodeScalars) == Array(name.unicodeScalars), "\(Self.dump(name))")
        }
    }

    /// Encoding is injective: different names never share a wire form.
    @Test func distinctNamesStayDistinct() {
        var generator = SeededGenerator(seed: 99)
        var seen: [[UInt32]: [UInt32]] = [:]
        for _ in 0..<5000 {
            let name = Self.randomName(using: &generator, maxLength: 4)
            let wire = Array(NameCodec.encode(name).unicodeScalars.map(\.value))
            let original = Array(name.unicodeScalars.map(\.value))
            if let previous = seen[wire] { #expect(previous == original) } else { seen[wire] = original }
        }
    }

    @Test func multipartFilenameIsSafe() {
        let name = NameCodec.multipartFilename("a\"b\\c\r\nd.txt")
        #expect(!name.contains("\"") && !name.contains("\\") && !name.contains("\r") && !name.contains("\n"))
        #expect(name == NameCodec.encode("a\"b\\c\r\nd.txt"))
    }

    static let alphabet: [Unicode.Scalar] = Array("ab .\\<>\"'$`/ \t\r\n\u{0}\u{1}\u{1F}\u{7F}".unicodeScalars)
        + Array("＼＜＞＂＇＄｀／．␠␀␁␟␡‛".unicodeScalars) + ["é", "\u{301}", "😀", "\u{2420}", "\u{2421}", "\u{2422}", "\u{FF0F}", "\u{FF01}"]

    static func randomName(using generator: inout SeededGenerator, maxLength: Int = 8) -> String {
        let length = Int(generator.next() % UInt64(maxLength + 1))
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            scalars.append(alphabet[Int(generator.next() % UInt64(alphabet.count))])
        }
        return String(scalars)
    }

    static func dump(_ text: String) -> String {
        text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ")
    }
}

/// A small deterministic generator (SplitMix64) so property tests repeat.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
