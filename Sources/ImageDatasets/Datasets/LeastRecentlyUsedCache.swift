/// A fixed-capacity map from sample index to value that evicts the least recently used
/// entry. Lookups, insertions and evictions are O(1): a dictionary finds the node, a
/// doubly linked list kept in arrays orders them by use. Not thread-safe by itself.
struct LeastRecentlyUsedCache<Value> {
    let capacity: Int
    private var nodeOfKey: [Int: Int] = [:]
    private var keys: [Int] = []
    private var values: [Value] = []
    private var previous: [Int] = []
    private var next: [Int] = []
    /// Most and least recently used nodes; -1 when empty.
    private var newest = -1
    private var oldest = -1

    init(capacity: Int) {
        precondition(capacity > 0, "internal: cache capacity must be positive")
        self.capacity = capacity
    }

    var count: Int { nodeOfKey.count }

    /// The value for `key`, which becomes the most recently used.
    mutating func value(for key: Int) -> Value? {
        guard let node = nodeOfKey[key] else { return nil }
        moveToFront(node)
        return values[node]
    }

    /// Stores `value` for `key` as the most recently used, evicting the oldest when full.
    mutating func insert(_ value: Value, for key: Int) {
        if let node = nodeOfKey[key] {
            values[node] = value
            moveToFront(node)
            return
        }
        let node: Int
        if keys.count < capacity {
            node = keys.count
            keys.append(key)
            values.append(value)
            previous.append(-1)
            next.append(-1)
        } else {
            // Reuse the oldest node's slot.
            node = oldest
            unlink(node)
            nodeOfKey[keys[node]] = nil
            keys[node] = key
            values[node] = value
        }
        nodeOfKey[key] = node
        linkAtFront(node)
    }

    private mutating func moveToFront(_ node: Int) {
        guard node != newest else { return }
        unlink(node)
        linkAtFront(node)
    }

    private mutating func unlink(_ node: Int) {
        let before = previous[node], after = next[node]
        if before >= 0 { next[before] = after } else { newest = after }
        if after >= 0 { previous[after] = before } else { oldest = before }
        previous[node] = -1
        next[node] = -1
    }

    private mutating func linkAtFront(_ node: Int) {
        previous[node] = -1
        next[node] = newest
        if newest >= 0 { previous[newest] = node }
        newest = node
        if oldest < 0 { oldest = node }
    }
}
