import Tensors

/// Independent seeds derived from one user seed and a path of numbers (epoch, batch,
/// position), so each piece of randomness is a pure function of where it is used and not
/// of which thread got there first.
package enum SeedDerivation {
    /// A seed for `parts` under `seed`, mixed with SplitMix64's finaliser at every step.
    package static func seed(_ seed: UInt64, _ parts: Int...) -> UInt64 {
        derive(seed, parts)
    }

    /// A generator for `parts` under `seed`.
    package static func generator(_ seed: UInt64, _ parts: Int...) -> SeededGenerator {
        SeededGenerator(seed: derive(seed, parts))
    }

    private static func derive(_ seed: UInt64, _ parts: [Int]) -> UInt64 {
        var state = mix(seed)
        for part in parts {
            state = mix(state ^ mix(UInt64(bitPattern: Int64(part)) &+ 0x9E37_79B9_7F4A_7C15))
        }
        return state
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
