/// How well the mask finds injected label noise: precision = flipped among masked,
/// recall = masked among flipped. Accumulated over the steps of an epoch.
public struct MaskQuality: Sendable, Equatable, Codable {
    public private(set) var seen = 0, masked = 0, flipped = 0, maskedAndFlipped = 0

    public init() {}

    public mutating func add(keep: [Bool], isFlipped: [Bool]) {
        for (k, f) in zip(keep, isFlipped) {
            seen += 1
            if !k { masked += 1 }
            if f { flipped += 1 }
            if !k && f { maskedAndFlipped += 1 }
        }
    }

    public var maskedShare: Double { seen == 0 ? 0 : Double(masked) / Double(seen) }
    /// nil when nothing was masked.
    public var precision: Double? { masked == 0 ? nil : Double(maskedAndFlipped) / Double(masked) }
    /// nil when no label was flipped.
    public var recall: Double? { flipped == 0 ? nil : Double(maskedAndFlipped) / Double(flipped) }
}
