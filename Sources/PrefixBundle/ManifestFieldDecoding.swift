/// Strict integer decoding for the manifest with errors that name the field and the value found.
///
/// Foundation's JSONDecoder reports an out-of-range or fractional number without its coding path;
/// these helpers catch that and throw a ``ManifestFieldError`` naming the exact member instead.
struct ManifestFieldError: Error {
    let field: String
    let found: String
    let expected: String
}

extension KeyedDecodingContainer {
    private func describeValue(_ key: Key) -> String {
        if (try? decodeNil(forKey: key)) == true { return "null" }
        if let b = try? decode(Bool.self, forKey: key) { return "\(b)" }
        if let d = try? decode(Double.self, forKey: key) { return "\(d)" }
        if let s = try? decode(String.self, forKey: key) { return PrintableText.quoted(s) }
        if (try? nestedUnkeyedContainer(forKey: key)) != nil { return "a JSON array" }
        if (try? nestedContainer(keyedBy: JSONValue.MemberKey.self, forKey: key)) != nil { return "a JSON object" }
        return "a number beyond the range of a 64-bit float"
    }

    /// Decodes an integer of type `T`, or throws ``ManifestFieldError`` / `keyNotFound`.
    func integer<T: FixedWidthInteger & Decodable>(_: T.Type, forKey key: Key) throws -> T {
        guard contains(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        do {
            return try decode(T.self, forKey: key)
        } catch {
            throw ManifestFieldError(field: StructuralValidation.codingPath(codingPath + [key]), found: describeValue(key),
                                     expected: "an integer in \(T.min)...\(T.max)")
        }
    }

    /// Decodes an array of `Int`, naming the bad element on failure.
    func integers(forKey key: Key) throws -> [Int] {
        guard contains(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        let path = StructuralValidation.codingPath(codingPath + [key])
        guard var array = try? nestedUnkeyedContainer(forKey: key) else {
            throw ManifestFieldError(field: path, found: describeValue(key), expected: "an array of integers")
        }
        var out: [Int] = []
        while !array.isAtEnd {
            let i = array.currentIndex
            do {
                out.append(try array.decode(Int.self))
            } catch {
                throw ManifestFieldError(field: path + "[\(i)]", found: "a non-integer or out-of-range value",
                                         expected: "an integer in \(Int.min)...\(Int.max)")
            }
        }
        return out
    }
}
