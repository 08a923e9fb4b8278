/// One request the emulator answered, for tests (pacing, retries).
public struct EmulatorRequestRecord: Sendable, Equatable {
    public var method: String
    /// Path without the query string.
    public var path: String
    public var time: ContinuousClock.Instant
    public var status: Int
}
