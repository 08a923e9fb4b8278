import Testing
@testable import FichierAPI

@Suite struct RemotePathTests {
    @Test func parsesAndNormalises() throws {
        let path = try RemotePath("/backups/2026/x.zip")
        #expect(path.components == ["backups", "2026", "x.zip"])
        #expect(path.name == "x.zip")
        #expect(path.parent == (try RemotePath("/backups/2026")))
        #expect(path.description == "/backups/2026/x.zip")
        #expect(!path.isRoot)
        #expect(try RemotePath("backups//2026/") == (try RemotePath("/backups/2026")))
    }

    @Test func root() throws {
        for text in ["/", "", "///"] {
            let root = try RemotePath(text)
            #expect(root.isRoot && root.name == nil && root.parent == nil && root.description == "/")
            #expect(root == RemotePath.root)
        }
        #expect(try RemotePath("/a").parent == RemotePath.root)
    }

    @Test func keepsUnusualNames() throws {
        let path = try RemotePath("/ spaced /quo\"te/$dollar/…")
        #expect(path.components == [" spaced ", "quo\"te", "$dollar", "…"])
    }

    @Test func refusesAmbiguousComponents() {
        for text in ["/a/../b", "/./a", "/a/.", "/a\u{0}b"] {
            #expect(throws: FichierError.self, "\(text)") { try RemotePath(text) }
        }
        #expect(throws: FichierError.self) { try RemotePath.root.appending("a/b") }
        #expect(throws: FichierError.self) { try RemotePath.root.appending("") }
    }

    @Test func appending() throws {
        let path = try RemotePath("/a").appending("b c")
        #expect(path.components == ["a", "b c"])
    }
}
