import Logging

/// Log levels of `event/log` and `logging/setLevel`: the RFC 5424 names, least severe first.
public enum LogLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case debug, info, notice, warning, error, critical, alert, emergency

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rank < rhs.rank
    }

    /// The matching swift-log level, for the stderr log.
    var loggerLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical, .alert, .emergency: .critical
        }
    }
}

/// A level setting that can also be `off` (`logging/setLevel {"level": "off"}`).
enum LogThreshold: Sendable, Equatable, Decodable {
    case off
    case level(LogLevel)

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        if text == "off" {
            self = .off
        } else if let level = LogLevel(rawValue: text) {
            self = .level(level)
        } else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "expected one of off, \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
    }

    func admits(_ level: LogLevel) -> Bool {
        switch self {
        case .off: false
        case .level(let threshold): level >= threshold
        }
    }
}
