/// Plans the `file/ls` date windows that list a folder completely although 1fichier caps each
/// answer (5,000 items) and has no cursor. Pure arithmetic over wall-time seconds, so every
/// case can be tested without a server.
///
/// A window is a closed range of seconds `[from, to]` (nil = open). It is asked as
/// `sent_after = from − 1 s`, `sent_before = to + 1 s`, which is exactly the window when the
/// bounds are exclusive and a superset when they are inclusive; either way the answer covers
/// the window. An answer with fewer items than the cap holds every file of its window.
///
/// A capped answer is reasoned about from the order of its items:
/// - dates falling (newest first): 1fichier kept the newest files, so everything newer than the
///   oldest date seen is covered and the next window ends at that date (it is asked again,
///   since that second may have been cut);
/// - dates rising (oldest first): the mirror image;
/// - neither: the window is halved at the median date seen and both halves are asked.
/// When every item of a capped answer has the same date, that second alone holds at least a
/// cap's worth of files and cannot be listed completely with date filters: it is reported
/// (after asking that second alone when the order is unknown) and the rest goes on. A server that
/// ignores the filters, or a plan that needs more than `maximumWindows` calls, ends the listing
/// as incomplete instead of looping.
struct DateWindowPlanner: Sendable {
    struct Window: Hashable, Sendable {
        var from: ParisWallSecond?
        var to: ParisWallSecond?

        static let everything = Window(from: nil, to: nil)

        func contains(_ second: ParisWallSecond) -> Bool {
            (from.map { $0 <= second } ?? true) && (to.map { second <= $0 } ?? true)
        }

        /// `sent_after`: the second before the window (exclusive bound).
        var sentAfter: String? { from.map { ($0 - 1).text } }
        /// `sent_before`: the second after the window (exclusive bound).
        var sentBefore: String? { to.map { ($0 + 1).text } }

        var isSingleSecond: Bool { from != nil && from == to }
    }

    enum Order: Sendable, Equatable {
        case newestFirst
        case oldestFirst
        case unknown
    }

    /// Items per answer at which 1fichier may have cut the answer.
    let cap: Int
    let maximumWindows: Int
    /// Windows still to ask, in order.
    private(set) var pending: [Window] = []
    /// Seconds that hold at least `cap` files: never listed completely.
    private(set) var overfullSeconds: [ParisWallSecond] = []
    /// Why the plan stopped early, if it did.
    private(set) var abandoned: String?
    /// The order 1fichier's answers showed, once one did.
    private(set) var order: Order = .unknown
    private(set) var windowsAsked = 0

    init(cap: Int, maximumWindows: Int = 512) {
        self.cap = max(1, cap)
        self.maximumWindows = maximumWindows
    }

    /// True once nothing is pending and nothing was left out.
    var isComplete: Bool { pending.isEmpty && overfullSeconds.isEmpty && abandoned == nil }

    /// The next window to ask, or nil when the plan is done. Counts the window as asked.
    mutating func next() -> Window? {
        guard abandoned == nil, !pending.isEmpty else { return nil }
        guard windowsAsked < maximumWindows else {
            abandoned = "more than \(maximumWindows) date windows would be needed"
            return nil
        }
        windowsAsked += 1
        return pending.removeFirst()
    }

    /// Records the answer to `window`: the items' dates in the order 1fichier sent them (nil for
    /// an item without a usable date). `mayBeIncomplete` marks an answer below the cap that is
    /// known to lack files (folder/ls said the folder holds more): it is asked again with file/ls.
    mutating func record(dates: [ParisWallSecond?], for window: Window, mayBeIncomplete: Bool = false) {
        if dates.count < cap {
            if mayBeIncomplete { pending.append(window) }
            return
        }
        let known = dates.compactMap { $0 }
        let answerOrder = Self.order(of: known)
        if answerOrder != .unknown { order = answerOrder }
        guard let lowest = known.min(), let highest = known.max(), known.contains(where: window.contains) else {
            abandoned = "1fichier's capped answer had no dated file inside the date window asked"
            return
        }
        let effective: Order = lowest == highest ? order : answerOrder
        if lowest == highest {
            recordSingleSecond(lowest, window: window, order: effective)
            return
        }
        switch effective {
        case .newestFirst:
            // Everything newer than `lowest` (inside the window) came back.
            if let from = window.from, lowest < from { return }
            if let to = window.to, lowest >= to {
                narrow(to, window: window, keepingOlder: true)
            } else {
                pending.insert(Window(from: window.from, to: lowest), at: 0)
            }
        case .oldestFirst:
            if let to = window.to, highest > to { return }
            if let from = window.from, highest <= from {
                narrow(from, window: window, keepingOlder: false)
            } else {
                pending.insert(Window(from: highest, to: window.to), at: 0)
            }
        case .unknown:
            let inside = known.filter(window.contains)
            guard let low = inside.min(), let high = inside.max() else { return }
            if low == high {
                recordSingleSecond(low, window: window, order: .unknown)
                return
            }
            // Halve the window at the median date seen: both halves are smaller, and each
            // holds about half of what the answer sampled.
            let sorted = inside.sorted()
            var middle = sorted[(sorted.count - 1) / 2]
            if middle == high { middle = sorted.last(where: { $0 < high }) ?? low }
            pending.insert(contentsOf: [Window(from: window.from, to: middle), Window(from: middle + 1, to: window.to)],
                           at: 0)
        }
    }

    /// A capped answer whose items all carry the second `second`.
    private mutating func recordSingleSecond(_ second: ParisWallSecond, window: Window, order: Order) {
        var parts: [Window] = []
        if window.isSingleSecond || order != .unknown {
            // In a sorted answer, a cap's worth of files in one second means that second holds
            // at least the cap; so does a capped answer for that second alone.
            overfullSeconds.append(second)
        } else {
            parts.append(Window(from: second, to: second))
        }
        // Sorted answers kept the files on one side of that second; the other side is empty.
        if order != .oldestFirst, window.from.map({ $0 < second }) ?? true {
            parts.append(Window(from: window.from, to: second - 1))
        }
        if order != .newestFirst, window.to.map({ second < $0 }) ?? true {
            parts.append(Window(from: second + 1, to: window.to))
        }
        pending.insert(contentsOf: parts, at: 0)
    }

    /// The sorted reasoning would ask the same window again (the answer sat on its edge, e.g.
    /// with inclusive bounds): ask the edge second alone, then the rest of the window.
    private mutating func narrow(_ edge: ParisWallSecond, window: Window, keepingOlder: Bool) {
        if window.isSingleSecond {
            overfullSeconds.append(edge)
            return
        }
        var parts = [Window(from: edge, to: edge)]
        if keepingOlder {
            parts.append(Window(from: window.from, to: edge - 1))
        } else {
            parts.append(Window(from: edge + 1, to: window.to))
        }
        pending.insert(contentsOf: parts, at: 0)
    }

    /// Falling, rising or neither (equal neighbours don't decide).
    static func order(of dates: [ParisWallSecond]) -> Order {
        var falls = false
        var rises = false
        for (earlier, later) in zip(dates, dates.dropFirst()) {
            if later < earlier { falls = true }
            if earlier < later { rises = true }
            if falls && rises { return .unknown }
        }
        if falls { return .newestFirst }
        if rises { return .oldestFirst }
        return .unknown
    }
}
