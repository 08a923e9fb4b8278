import FichierAPI

/// Params of methods that take none; any fields are ignored.
struct NoParams: Decodable, Sendable {}

/// The empty result `{}`.
public struct EmptyResult: Codable, Sendable {
    public init() {}
}

/// `shutdown {mode, timeoutMs?, exit?}`.
struct ShutdownParams: Decodable, Sendable {
    enum Mode: String, Decodable, Sendable {
        case drain, cancel
    }

    var mode: Mode = .drain
    var timeoutMs: Int?
    var exit: Bool?

    private enum CodingKeys: String, CodingKey {
        case mode, timeoutMs, exit
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mode = try container.decodeIfPresent(Mode.self, forKey: .mode) ?? .drain
        timeoutMs = try container.decodeIfPresent(Int.self, forKey: .timeoutMs)
        exit = try container.decodeIfPresent(Bool.self, forKey: .exit)
        if let timeoutMs, timeoutMs < 0 {
            throw RPCError.invalidParams(path: "timeoutMs", problem: "must not be negative")
        }
    }
}

/// `logging/setLevel {level}`: the `event/log` threshold (`off` stops them).
struct SetLevelParams: Decodable, Sendable {
    var level: LogThreshold
}

extension MethodRegistry {
    /// `initialize`, `ping`, `shutdown`, `logging/setLevel`, answered by `core`.
    mutating func registerSessionMethods(core: ServerCore, allMethods: [String]) {
        registerImmediate("initialize") { (params: InitializeParams, _) in
            try core.initialize(params, methods: allMethods)
        }
        registerImmediate("ping") { (_: NoParams, _) in EmptyResult() }
        registerImmediate("logging/setLevel") { (params: SetLevelParams, _) in
            core.preferences.withLock { $0.log = params.level }
            return EmptyResult()
        }
        registerShutdown()
    }

    static let sessionMethodNames = ["initialize", "logging/setLevel", "ping", "shutdown"]
}
