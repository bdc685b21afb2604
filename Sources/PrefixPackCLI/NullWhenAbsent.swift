/// An optional member that synthesized `Encodable` writes as `null` when absent, instead of
/// leaving it out (what it does for a plain optional): `inspect --json`'s `reparameterization`.
@propertyWrapper
struct NullWhenAbsent<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}
