/// Errors of the emulator's own lifecycle and admin API.
public enum EmulatorError: Error, Sendable, CustomStringConvertible {
    case notStarted
    case alreadyStarted
    case corruptState(path: String, reason: String)
    /// Another emulator (this process or another one, e.g. `fichier emulator --data DIR` or
    /// `fichier serve --sandbox DIR`) holds the data directory's lock; `pid` is its process
    /// when it could be read.
    case dataDirectoryInUse(path: String, pid: Int32?)
    case invalidArgument(String)
    case storage(String)

    public var description: String {
        switch self {
        case .notStarted: "the emulator is not running"
        case .alreadyStarted: "the emulator was already started"
        case .corruptState(let path, let reason): "cannot read \(path): \(reason)"
        case .dataDirectoryInUse(let path, let pid):
            "the data directory \(path) is in use by another fichier emulator or sandbox"
                + "\(pid.map { " (pid \($0))" } ?? ""); stop that process or use another directory"
        case .invalidArgument(let message): message
        case .storage(let message): "storage error: \(message)"
        }
    }
}
