import Foundation
import Logging

/// Complete listings of large folders. 1fichier cuts every listing at 5,000 items and has no
/// cursor, but `file/ls.cgi` filters by upload date (`sent_before`, `sent_after`, Paris wall
/// time), so the rest of a folder is fetched in date windows (`DateWindowPlanner`). Each window
/// is a listing of that folder: windowed `file/ls` calls of one folder are kept
/// `listingWindow` apart (the 30-second rule), on top of the account-wide pacer.
///
/// The first `file/ls` after a `folder/ls` of the same folder is not held back: the two
/// endpoints are counted apart (rclone issues both back to back for every directory). Should
/// 1fichier count them together, its flood refusal pauses the account (`floodPause`) and the
/// call is retried, so the listing still completes.
extension FichierClient {
    /// Every file of `folder`: `file/ls.cgi`, continued in date windows while answers reach
    /// the cap. A folder of N files takes about N / 5,000 calls, one listing window apart.
    public func listAllFiles(in folder: FolderID) async throws -> FileListing {
        let first = try await spacedFileList(folder, window: .everything)
        return try await completeFiles(in: folder, first: first, firstMayBeIncomplete: false)
    }

    /// `folder/ls.cgi` with its files, completed with `file/ls.cgi` date windows when the folder
    /// holds more files than the answer carried (its `files` count, or an answer at the cap).
    /// `filesComplete` says whether every file is in `files`.
    ///
    /// When 1fichier cut the answer below `listingCap`, what it returned is taken as its cap.
    /// A listing that ends with fewer files than the `files` count is never called complete.
    public func listFolderCompletely(_ id: FolderID) async throws -> FolderListing {
        var listing = try await listFolder(id, includeFiles: true)
        let returned = listing.files.count
        let configuredCap = configuration.listingCap
        let needsMore: Bool
        if let reported = listing.fileCount {
            needsMore = returned < reported
        } else {
            needsMore = returned >= configuredCap
        }
        guard needsMore else {
            listing.filesComplete = true
            return listing
        }
        let cap = returned > 0 ? min(configuredCap, returned) : configuredCap
        let complete = try await completeFiles(in: id, first: listing.files, firstMayBeIncomplete: returned == 0,
                                               cap: cap)
        listing.files = complete.files
        listing.filesComplete = complete.isComplete
        if let reported = listing.fileCount, complete.files.count < reported {
            listing.filesComplete = false
            if complete.isComplete {
                logger.warning("folder listing is incomplete", metadata: [
                    "folder": "\(id)", "files": "\(complete.files.count)", "reported": "\(reported)",
                ])
            }
        }
        return listing
    }

    /// Continues a capped first answer with date windows until the plan is done.
    func completeFiles(in folder: FolderID, first: [RemoteFile], firstMayBeIncomplete: Bool,
                       cap: Int? = nil, initialCalls: Int = 1) async throws -> FileListing {
        let cap = cap ?? configuration.listingCap
        let listing = try await Self.gatherFiles(cap: cap, first: first, firstMayBeIncomplete: firstMayBeIncomplete,
                                                 initialCalls: initialCalls, onStart: {
            self.logger.info("listing a large folder in date windows", metadata: [
                "folder": "\(folder)", "firstAnswer": "\(first.count)",
            ])
        }) { window in
            try await self.spacedFileList(folder, window: window)
        }
        if let reason = listing.incompleteReason {
            logger.warning("folder listing is incomplete", metadata: [
                "folder": "\(folder)", "files": "\(listing.files.count)", "reason": "\(reason)",
            ])
        }
        return listing
    }

    /// The date-window loop, apart from the network: `fetch` answers one window.
    static func gatherFiles(cap: Int, first: [RemoteFile], firstMayBeIncomplete: Bool, initialCalls: Int = 1,
                            maximumWindows: Int = 512, onStart: () -> Void = {},
                            fetch: (DateWindowPlanner.Window) async throws -> [RemoteFile]) async throws -> FileListing {
        var planner = DateWindowPlanner(cap: cap, maximumWindows: maximumWindows)
        planner.record(dates: first.map(\.wallDate), for: .everything, mayBeIncomplete: firstMayBeIncomplete)
        if planner.isComplete {
            return FileListing(files: first, isComplete: true, calls: initialCalls)
        }
        onStart()
        var merged = MergedFiles(first)
        var calls = initialCalls
        while let window = planner.next() {
            let page = try await fetch(window)
            calls += 1
            merged.add(page)
            planner.record(dates: page.map(\.wallDate), for: window)
        }
        let overfull = planner.overfullSeconds.map(\.text)
        var reason: String?
        if let abandoned = planner.abandoned {
            reason = abandoned
        } else if !overfull.isEmpty {
            reason = "\(overfull.count) upload second(s) hold \(cap) files or more, which date filters "
                + "cannot split: \(overfull.prefix(3).joined(separator: ", "))"
        }
        return FileListing(files: merged.sorted(planner.order), isComplete: planner.isComplete,
                           overfullSeconds: overfull, incompleteReason: reason, calls: calls)
    }

    /// One `file/ls.cgi` call for a date window, booked a listing window after the previous
    /// `file/ls` of the same folder.
    func spacedFileList(_ folder: FolderID, window: DateWindowPlanner.Window) async throws -> [RemoteFile] {
        let start = fileListings.book(folder, window: configuration.listingWindow)
        if start > .now {
            do {
                try await Task.sleep(until: start, clock: .continuous)
            } catch {
                throw FichierError.cancelled()
            }
        }
        let files = try await fileList(folder, sentAfter: window.sentAfter, sentBefore: window.sentBefore)
        fileListings.answered(folder)
        return files
    }

    /// `file/ls.cgi` with optional date bounds, exactly as 1fichier takes them.
    func fileList(_ folder: FolderID, sentAfter: String?, sentBefore: String?) async throws -> [RemoteFile] {
        var body: [String: JSONValue] = ["folder_id": .integer(Int64(folder))]
        if let sentAfter { body["sent_after"] = .string(sentAfter) }
        if let sentBefore { body["sent_before"] = .string(sentBefore) }
        let json = try await call(.fileList, .object(body))
        var files: [RemoteFile] = []
        for entry in json["items"]?.arrayValue ?? [] {
            files.append(try RemoteFile(json: entry))
        }
        return files
    }
}

/// The union of listing answers, each file once by URL (the latest answer's copy wins).
struct MergedFiles {
    private var files: [RemoteFile] = []
    private var index: [String: Int] = [:]

    init(_ first: [RemoteFile]) {
        add(first)
    }

    var count: Int { files.count }

    mutating func add(_ page: [RemoteFile]) {
        for file in page {
            if let at = index[file.url] {
                files[at] = file
            } else {
                index[file.url] = files.count
                files.append(file)
            }
        }
    }

    /// By upload date in 1fichier's order (first seen first within a second); undated files last.
    func sorted(_ order: DateWindowPlanner.Order) -> [RemoteFile] {
        let keyed = files.enumerated().map { (offset: $0.offset, date: $0.element.wallDate, file: $0.element) }
        return keyed.sorted { lhs, rhs in
            switch (lhs.date, rhs.date) {
            case let (left?, right?) where left != right:
                return order == .newestFirst ? right < left : left < right
            case (nil, _?):
                return false
            case (_?, nil):
                return true
            default:
                return lhs.offset < rhs.offset
            }
        }.map(\.file)
    }
}
