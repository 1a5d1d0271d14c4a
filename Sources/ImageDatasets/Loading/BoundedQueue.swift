import Foundation

/// A first-in first-out queue of fixed capacity between one producer thread and one
/// consumer: `put` blocks while it is full, `take` while it is empty, and `close` wakes both.
///
/// `@unchecked Sendable` because its state is only touched while holding `condition`'s lock.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var isClosed = false
    private var isFinished = false
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0, "internal: queue capacity must be positive")
        self.capacity = capacity
    }

    /// Adds `element`, waiting for room. Returns false (dropping it) once the queue is closed.
    func put(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !isClosed { condition.wait() }
        guard !isClosed else { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// The producer has nothing more: `take` returns nil once the queue is drained.
    func finish() {
        condition.lock()
        isFinished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The consumer is gone: pending and future `put`s return false.
    func close() {
        condition.lock()
        isClosed = true
        items.removeAll()
        head = 0
        condition.broadcast()
        condition.unlock()
    }

    /// The oldest element, waiting for one; nil when finished and drained, or closed.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !isFinished && !isClosed { condition.wait() }
        guard head < items.count else { return nil }
        let element = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            // Drop the consumed prefix now and then so the array does not grow forever.
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return element
    }
}
