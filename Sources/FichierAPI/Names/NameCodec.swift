/// Maps names between what users see and what 1fichier stores, in the spirit of rclone's
/// encoder for this backend (Slash, LtGt, DoubleQuote, SingleQuote, BackQuote, Dollar,
/// BackSlash, Del, Ctl, LeftSpace, RightSpace, Dot):
///
/// | user name                        | on 1fichier                           |
/// |----------------------------------|---------------------------------------|
/// | `\ < > " ' $` backtick `/`       | full-width `＼ ＜ ＞ ＂ ＇ ＄ ｀ ／`    |
/// | NUL, U+0001–U+001F, DEL          | control pictures `␀`, U+2401–U+241F, `␡` |
/// | leading / trailing space         | `␠`                                   |
/// | the names `.` and `..`           | `．` and `．．`                        |
///
/// A name that already contains one of the replacement characters (where decoding would turn
/// it back) gets the quote character `‛` (U+201B) in front of it, and `‛` itself is written
/// `‛‛`, so `decode(encode(x)) == x` for every string.
public enum NameCodec {
    /// The quote character that marks a replacement character meant literally.
    public static let quote: Unicode.Scalar = "\u{201B}"
    private static let fullWidthOffset: UInt32 = 0xFEE0
    private static let pictureOffset: UInt32 = 0x2400
    private static let spaceSymbol: Unicode.Scalar = "\u{2420}"   // ␠
    private static let deleteSymbol: Unicode.Scalar = "\u{2421}"  // ␡
    private static let fullWidthDot = "\u{FF0E}"                  // ．
    private static let reservedASCII: Set<UInt32> = Set("\\<>\"'$`/".unicodeScalars.map(\.value))

    /// A user's name as it must be sent to 1fichier.
    public static func encode(_ name: String) -> String {
        switch name {
        case "": return ""
        case ".": return fullWidthDot
        case "..": return fullWidthDot + fullWidthDot
        case fullWidthDot: return String(Character(quote)) + fullWidthDot
        case fullWidthDot + fullWidthDot:
            return String(Character(quote)) + fullWidthDot + String(Character(quote)) + fullWidthDot
        default: break
        }
        let scalars = Array(name.unicodeScalars)
        var output = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            let atEdge = index == 0 || index == scalars.count - 1
            let value = scalar.value
            if scalar == " " && atEdge {
                output.append(spaceSymbol)
            } else if scalar == spaceSymbol && atEdge {
                output.append(quote); output.append(scalar)
            } else if reservedASCII.contains(value) {
                output.append(Unicode.Scalar(value + fullWidthOffset)!)
            } else if value < 0x20 {
                output.append(Unicode.Scalar(value + pictureOffset)!)
            } else if value == 0x7F {
                output.append(deleteSymbol)
            } else if scalar == quote || isReplacement(scalar) {
                output.append(quote); output.append(scalar)
            } else {
                output.append(scalar)
            }
        }
        return String(output)
    }

    /// A name read from 1fichier as the user should see it.
    public static func decode(_ wire: String) -> String {
        switch wire {
        case fullWidthDot: return "."
        case fullWidthDot + fullWidthDot: return ".."
        default: break
        }
        let scalars = Array(wire.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == quote, index + 1 < scalars.count {
                let next = scalars[index + 1]
                if next == quote || next == spaceSymbol || isReplacement(next) || next == "\u{FF0E}" {
                    output.append(next)
                    index += 2
                    continue
                }
                output.append(scalar)   // a stray quote means itself
                index += 1
                continue
            }
            let value = scalar.value
            if scalar == spaceSymbol {
                output.append(index == 0 || index == scalars.count - 1 ? " " : scalar)
            } else if value >= 0xFF00, reservedASCII.contains(value - fullWidthOffset) {
                output.append(Unicode.Scalar(value - fullWidthOffset)!)
            } else if value >= pictureOffset && value < pictureOffset + 0x20 {
                output.append(Unicode.Scalar(value - pictureOffset)!)
            } else if scalar == deleteSymbol {
                output.append("\u{7F}")
            } else {
                output.append(scalar)
            }
            index += 1
        }
        return String(output)
    }

    /// Characters decoding would turn into something else wherever they stand.
    private static func isReplacement(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value >= 0xFF00, reservedASCII.contains(value - fullWidthOffset) { return true }
        if value >= pictureOffset && value < pictureOffset + 0x20 { return true }
        return scalar == deleteSymbol
    }

    /// A name made safe for a multipart `filename="…"` parameter: the encoded name with any CR,
    /// LF, other control, `"` or `\` that could remain replaced (encoding already maps them).
    static func multipartFilename(_ name: String) -> String {
        var output = String.UnicodeScalarView()
        for scalar in encode(name).unicodeScalars {
            switch scalar.value {
            case 0x00..<0x20, 0x7F: output.append(Unicode.Scalar(0xFFFD)!)
            case 0x22, 0x5C: output.append(Unicode.Scalar(scalar.value + fullWidthOffset)!)
            default: output.append(scalar)
            }
        }
        return String(output)
    }
}
