/// Errors of the emulator's own lifecycle and admin API.
public enum EmulatorError: Error, Sendable, CustomStringConvertible {
    case notStarted
    case alreadyStarted
    case corruptState(path: String, reason: String)
    case invalidArgument(String)
    case storage(String)

    public var description: String {
        switch self {
        case .notStarted: "the emulator is not running"
        case .alreadyStarted: "the emulator was already started"
        case .corruptState(let path, let reason): "cannot read \(path): \(reason)"
        case .invalidArgument(let message): message
        case .storage(let message): "storage error: \(message)"
        }
    }
}
