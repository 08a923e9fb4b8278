/// Trimming of ASCII whitespace (space, tab, CR, LF), without Foundation.
extension String {
    var trimmingSpaces: String {
        var view = self[...]
        while let first = view.first, first == " " || first == "\t" || first == "\n" || first == "\r" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" || last == "\n" || last == "\r" { view = view.dropLast() }
        return String(view)
    }
}

extension Substring {
    var trimmingSpaces: String { String(self).trimmingSpaces }
}
