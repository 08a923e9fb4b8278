/// How the dispatcher schedules a method.
public enum MethodKind: Sendable {
    /// Runs as soon as it arrives (within `maxInFlight`).
    case call
    /// Moves file data: at most `maxTransfers` run at once, the rest queue in arrival order
    /// (`event/job` queued → started), and a heartbeat `event/progress` is sent at least
    /// every 10 s while it runs.
    case transfer
}
