/// What the emulator accepts as a file or folder name.
///
/// The reference lists characters 1fichier reserves (`" ' < > $ \` backtick, `/`, a leading space)
/// without knowing whether the service refuses or strips them; the emulator refuses them, with
/// control characters, a trailing space, `.`/`..` and more than 250 characters, so a client
/// that forgets to encode names fails loudly instead of silently creating mangled names.
enum NameRules {
    static let maximumLength = 250
    static let reservedCharacters: Set<Character> = ["\"", "'", "<", ">", "$", "\\", "`", "/"]

    static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= maximumLength, name != ".", name != ".." else { return false }
        guard name.first != " ", name.last != " " else { return false }
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { return false }
        }
        return !name.contains { reservedCharacters.contains($0) }
    }
}
