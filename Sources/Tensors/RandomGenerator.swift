import Foundation

/// A seeded, reproducible random number generator (xoshiro256**, seeded by SplitMix64).
///
/// Every source of randomness in the library (initialisation, dropout, noise, shuffling)
/// takes one of these explicitly, so a run is a function of its seeds. The state is plain
/// data: save it in a checkpoint and a resumed run draws the same numbers.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
    /// The four 64-bit words of state; restore them to continue a sequence exactly.
    public private(set) var state: [UInt64]

    public init(seed: UInt64) {
        var mixer = seed
        var words = [UInt64]()
        for _ in 0..<4 {
            // SplitMix64 spreads a small seed over all 256 bits of state.
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            words.append(z ^ (z >> 31))
        }
        state = words
    }

    /// Restores a generator from saved state words.
    public init(state: [UInt64]) throws {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else {
            throw TensorError.invalidArgument(op: "SeededGenerator", message: "state must be 4 words, not all zero")
        }
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotateLeft(state[3], 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

extension RandomNumberGenerator {
    /// A uniform double in [0, 1) from the top 53 bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal draw (Box-Muller; one of the pair is discarded to keep no hidden state).
    public mutating func nextStandardNormal() -> Double {
        var u1 = nextUnitDouble()
        while u1 <= .leastNormalMagnitude { u1 = nextUnitDouble() }
        let u2 = nextUnitDouble()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }
}
