import Foundation
import Testing
@testable import FichierAPI
@testable import FichierEmulator

extension TimingSensitiveTests {
/// Path resolution against the emulator with its one-listing-per-folder rule switched on.
/// Tests that count listings use the real 30-second window, so a slow machine cannot age a
/// cached listing into a re-listing; the test of the wait itself uses a short one.
@Suite struct PathResolverTests {
    static let window = Duration.milliseconds(600)

    func withResolver(window: Duration = .seconds(30),
                      _ body: (Emulator, FichierClient, PathResolver) async throws -> Void) async throws {
        try await APIHarness.with(emulator: { configuration in
            configuration.rateLimits = RateLimits(folderListingInterval: window)
        }, client: { configuration in
            configuration.listingWindow = window
        }) { emulator, client in
            try await body(emulator, client, PathResolver(client: client))
        }
    }

    func listings(_ emulator: Emulator) -> [EmulatorRequestRecord] {
        emulator.faults.requestLog.filter { $0.path == "/v1/folder/ls.cgi" }
    }

    @Test func resolvesPathsAndMakesMissingFolders() async throws {
        try await withResolver { emulator, client, resolver in
            let backups = try emulator.admin.makeFolder(named: "backups", in: 0)
            let year = try emulator.admin.makeFolder(named: "2026", in: backups)
            #expect(try await resolver.folderID(for: RemotePath("/backups/2026")) == year)
            #expect(try await resolver.folderID(for: RemotePath("/")) == 0)
            // Cached: resolving again lists nothing.
            let before = listings(emulator).count
            #expect(try await resolver.folderID(for: RemotePath("/backups/2026/")) == year)
            #expect(listings(emulator).count == before)

            let missing = await APIHarness.failure { try await resolver.folderID(for: RemotePath("/backups/2027")) }
            #expect(missing?.kind == .notFound)

            let made = try await resolver.ensureFolder(RemotePath("/backups/2027/q1 <draft>"))
            #expect(emulator.admin.folderID(path: "/backups/2027/q1 ＜draft＞") == made)
            #expect(try await resolver.ensureFolder(RemotePath("/backups/2027/q1 <draft>")) == made)
            #expect(emulator.faults.requestLog.filter { $0.path == "/v1/folder/mkdir.cgi" }.count == 2)
            #expect(emulator.faults.requestLog.allSatisfy { $0.status != 403 })
        }
    }

    @Test func ownMutationsUpdateTheCacheWithoutListing() async throws {
        try await withResolver { emulator, client, resolver in
            let folder = try await resolver.ensureFolder(RemotePath("/docs"))
            let empty = try await resolver.listing(of: folder)
            #expect(empty.files.isEmpty)
            let before = listings(emulator).count

            let uploaded = try await client.upload(BytesUploadBody([1, 2, 3]), named: "a.txt", to: folder)
            #expect(try await resolver.file(at: RemotePath("/docs/a.txt")).url == uploaded.url)
            _ = try await client.renameFile(url: uploaded.url, to: "b.txt")
            #expect(try await resolver.file(at: RemotePath("/docs/b.txt")).url == uploaded.url)
            let gone = await APIHarness.failure { try await resolver.file(at: RemotePath("/docs/a.txt")) }
            #expect(gone?.kind == .notFound)

            let sub = try await client.makeFolder(named: "sub", in: folder)
            #expect(try await resolver.folderID(for: RemotePath("/docs/sub")) == sub.id)
            _ = try await client.moveFiles(urls: [uploaded.url], to: sub.id)
            _ = try await resolver.listing(of: sub.id)   // first listing of the new folder
            #expect(try await resolver.file(at: RemotePath("/docs/sub/b.txt")).url == uploaded.url)
            #expect(try await resolver.listing(of: folder).files.isEmpty)
            _ = try await client.removeFiles(urls: [uploaded.url])
            #expect(await APIHarness.failure { try await resolver.file(at: RemotePath("/docs/sub/b.txt")) }?.kind == .notFound)
            try await client.removeFolder(sub.id)
            #expect(await APIHarness.failure { try await resolver.folderID(for: RemotePath("/docs/sub")) }?.kind == .notFound)

            // Only the new sub-folder was ever listed after the start: everything else came
            // from the client's own changes.
            #expect(listings(emulator).count - before == 1)
            #expect(emulator.faults.requestLog.allSatisfy { $0.status != 403 })
        }
    }

    @Test func forcedRelistingWaitsForTheWindow() async throws {
        try await withResolver(window: Self.window) { emulator, client, resolver in
            let folder = try emulator.admin.makeFolder(named: "shared", in: 0)
            _ = try await resolver.listing(of: folder)
            // Someone else adds a file; we are told the folder changed.
            _ = try emulator.admin.addFile(named: "theirs.txt", in: folder, contents: [1])
            await resolver.noteChanged(folder: folder)
            let file = try await resolver.file(at: RemotePath("/shared/theirs.txt"))
            #expect(file.name == "theirs.txt")
            let log = listings(emulator).filter { $0.status == 200 }
            #expect(log.count == 3)  // shared, root, shared again
            // The window counts from the first answer, which came after the emulator saw the
            // first call: so the arrivals are at least a window apart, however loaded the machine.
            let shared = log.map(\.time)
            #expect(shared[2] - shared[0] >= PathResolverTests.window)
            #expect(shared[2] - shared[0] < PathResolverTests.window + .seconds(60))
            #expect(emulator.faults.requestLog.allSatisfy { $0.status != 403 })
        }
    }

    @Test func ambiguousNamesAreConflicts() async throws {
        try await withResolver { emulator, client, resolver in
            let folder = try emulator.admin.makeFolder(named: "dups", in: 0)
            _ = try emulator.admin.addFile(named: "same.txt", in: folder, contents: [1])
            _ = try emulator.admin.addFile(named: "same.txt", in: folder, contents: [2])
            let error = await APIHarness.failure { try await resolver.file(at: RemotePath("/dups/same.txt")) }
            #expect(error?.kind == .conflict)
            let root = await APIHarness.failure { try await resolver.file(at: RemotePath("/")) }
            #expect(root?.kind == .invalidArgument)
        }
    }

    @Test func concurrentEnsureFolderMakesOneFolder() async throws {
        try await withResolver { emulator, client, resolver in
            let path = try RemotePath("/once/only")
            let ids = try await withThrowingTaskGroup(of: FolderID.self) { group in
                for _ in 0..<4 { group.addTask { try await resolver.ensureFolder(path) } }
                return try await group.reduce(into: Set<FolderID>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(emulator.faults.requestLog.filter { $0.path == "/v1/folder/mkdir.cgi" }.count == 2)
        }
    }

    /// A folder made by someone else after our listing (another process, the web interface):
    /// 1fichier refuses the mkdir (#903); the resolver lists again and uses that folder.
    @Test func folderMadeElsewhereMeanwhileIsFound() async throws {
        // Re-lists a folder listed moments before: a short window keeps the wait short.
        try await withResolver(window: Self.window) { emulator, client, resolver in
            let parent = try await resolver.ensureFolder(RemotePath("/shared"))
            _ = try await resolver.listing(of: parent)
            let elsewhere = try emulator.admin.makeFolder(named: "ab", in: parent)
            let found = try await resolver.ensureFolder(RemotePath("/shared/ab/cd"))
            #expect(try await resolver.folderID(for: RemotePath("/shared/ab")) == elsewhere)
            #expect(emulator.admin.folderID(path: "/shared/ab/cd") == found)
            #expect(emulator.faults.requestLog.allSatisfy { $0.status != 403 || $0.path == "/v1/folder/mkdir.cgi" })
        }
    }
}
}
