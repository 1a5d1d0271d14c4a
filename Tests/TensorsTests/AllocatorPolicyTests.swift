import CMalloc
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

    /// With the policy a buffer above the 32 MB mmap limit comes from the heap: glibc's count
    /// of mapped chunks does not grow (it would by one without the policy). 48 MB, because
    /// tests run off the main thread, whose heaps glibc caps at 64 MB (Docs/Architecture.md).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FER_MALLOC"] != "default", "FER_MALLOC=default turns the policy off"))
    func largeBuffersComeFromTheHeap() throws {
        #expect(AllocatorPolicy.apply())
        let before = mallinfo2().hblks
        let buffer = try #require(malloc(48 << 20))
        memset(buffer, 1, 48 << 20)
        let during = mallinfo2().hblks
        free(buffer)
        #expect(during == before, "a 48 MB buffer was mapped on its own (\(before) -> \(during) mapped chunks)")
    }
}
