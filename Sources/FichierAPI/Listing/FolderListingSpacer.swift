/// Keeps `file/ls` calls of one folder a listing window apart (1fichier: one listing per folder
/// per 30 s), for the date-windowed listings of large folders. A call is booked before it is
/// made and the window counts from its answer; callers that book at the same time are spaced
/// from each other's starts.
final class FolderListingSpacer: Sendable {
    private let marks = Locked<[FolderID: ContinuousClock.Instant]>([:])

    /// Books the next `file/ls` of `folder` and returns when it may start.
    func book(_ folder: FolderID, window: Duration, now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        marks.withLock { marks in
            let start = max(now, marks[folder].map { $0 + window } ?? now)
            marks[folder] = start
            return start
        }
    }

    /// Records that a `file/ls` of `folder` was answered at `instant`.
    func answered(_ folder: FolderID, at instant: ContinuousClock.Instant = .now) {
        marks.withLock { marks in
            marks[folder] = max(marks[folder] ?? instant, instant)
        }
    }
}
