import Foundation
import Testing
@testable import Tensors

@Suite("Allocator policy")
struct AllocatorPolicyTests {
    /// glibc accepts both settings (mallopt returns 1); a value above its limits would be
    /// refused and the policy would silently do nothing.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FER_MALLOC"] != "default", "FER_MALLOC=default turns the policy off"))
    func glibcAcceptsTheSettings() {
        #expect(AllocatorPolicy.apply())
        #expect(AllocatorPolicy.apply(), "applying again is harmless")
    }
}
