import Foundation
import Testing
@testable import FichierAPI
@testable import FichierEmulator

/// Reserved characters survive upload, mkdir, rename and listing through the emulator (which
/// refuses them raw, like the service).
@Suite struct NameMappingTests {
    static let names = [
        "a\"b<c>d'e$f`g\\h.txt", " leading space", "trailing space ", "x/y", ".", "..", "tab\there",
        "already ＂full＂ width", "‛quoted‛", "␠symbol", "line\nbreak", "café ☕",
    ]

    func scalars(_ text: String) -> [UInt32] { text.unicodeScalars.map(\.value) }

    @Test func uploadsListBackUnderTheirOriginalNames() async throws {
        try await APIHarness.with { emulator, client in
            let folder = try await client.makeFolder(named: "names", in: 0)
            var urls: [String: String] = [:]
            for name in Self.names {
                let file = try await client.upload(BytesUploadBody(Array(name.utf8)), named: name, to: folder.id)
                #expect(scalars(file.name) == scalars(name))
                urls[file.url] = name
                // What 1fichier stores holds none of its reserved characters.
                let stored = try #require(emulator.admin.file(url: file.url)).name
                #expect(!stored.contains { "\"'<>$`\\/".contains($0) } && stored.first != " " && stored.last != " ")
                #expect(scalars(NameCodec.decode(stored)) == scalars(name))
            }
            let listing = try await client.listFolder(folder.id, includeFiles: true)
            #expect(listing.files.count == Self.names.count)
            for file in listing.files {
                #expect(scalars(file.name) == scalars(try #require(urls[file.url])))
            }
            let files = try await client.listFiles(in: folder.id)
            #expect(Set(files.map(\.name)) == Set(Self.names))
        }
    }

    @Test func foldersAndRenamesRoundTrip() async throws {
        try await APIHarness.with { emulator, client in
            for name in Self.names {
                let made = try await client.makeFolder(named: name, in: 0)
                #expect(scalars(made.name) == scalars(name))
            }
            let root = try await client.listFolder(0)
            #expect(Set(root.subfolders.map { scalars($0.name) }) == Set(Self.names.map(scalars)))

            let url = try emulator.admin.addFile(named: "plain.txt", in: 0, contents: [1])
            let target = "<renamed> it's $5 \"quoted\" "
            let renamed = try await client.renameFile(url: url, to: target)
            #expect(renamed.newName == target)
            #expect(scalars(try await client.fileInfo(url: url).name) == scalars(target))
            let moved = "moved/with\\slashes"
            _ = try await client.moveFiles(urls: [url], to: 0, rename: moved)
            #expect(try await client.listFiles(in: 0).first { $0.url == url }?.name == moved)

            let folder = try #require(root.subfolders.first { $0.name == "." })
            try await client.moveFolder(folder.id, to: 0, rename: "`back` 'tick'")
            #expect(try await client.listFolder(0).subfolders.contains { $0.id == folder.id && $0.name == "`back` 'tick'" })
        }
    }
}
