/// A JSON value as the service sends and receives it. Objects keep their key order so answers
/// are stable; integers and doubles stay distinct so `0`/`1` flags never turn into `0.0`.
enum WireJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([WireJSON])
    case object(WireObject)

    static func int(_ value: Int) -> WireJSON { .int(Int64(value)) }

    /// The object, when this is one.
    var objectValue: WireObject? {
        if case .object(let object) = self { return object }
        return nil
    }
}

/// An ordered JSON object.
struct WireObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    private(set) var members: [(key: String, value: WireJSON)] = []

    init() {}

    init(dictionaryLiteral elements: (String, WireJSON)...) {
        members = elements.map { (key: $0.0, value: $0.1) }
    }

    /// Reads the first member with this key; writing replaces it or appends a new member.
    subscript(key: String) -> WireJSON? {
        get { members.first { $0.key == key }?.value }
        set {
            let index = members.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let index?, let value?): members[index].value = value
            case (let index?, nil): members.remove(at: index)
            case (nil, let value?): members.append((key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    var isEmpty: Bool { members.isEmpty }
    var keys: [String] { members.map(\.key) }

    static func == (lhs: WireObject, rhs: WireObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension WireJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int64) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: WireJSON...) { self = .array(elements) }
    init(nilLiteral: ()) { self = .null }
    init(dictionaryLiteral elements: (String, WireJSON)...) {
        var object = WireObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}
