import IndexFormat

/// URL fragments for a document's sections: the heading in lower case, letters and digits kept,
/// everything else collapsed to "-" ("Travel & Expenses" → "travel-expenses"), made unique within
/// the document with "-2", "-3"… in outline order.
enum SectionAnchor {
    static func anchors(for outline: [DocumentRecord.OutlineEntry]) -> [String] {
        var seen: [String: Int] = [:]
        return outline.map { entry in
            let base = slug(entry.headingPath.last ?? "section")
            let count = (seen[base] ?? 0) + 1
            seen[base] = count
            return count == 1 ? base : "\(base)-\(count)"
        }
    }

    static func slug(_ heading: String) -> String {
        var result = ""
        var pendingDash = false
        for scalar in heading.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if pendingDash, !result.isEmpty { result += "-" }
                pendingDash = false
                result.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        return result.isEmpty ? "section" : result
    }
}
