import Synchronization

/// Work that must be done before ftsh exits, whichever way the session ended (`exit`, end of
/// input, the end of a script). A server started from the shell registers its stop here, so a
/// job in training saves its state and its threads are quiet before the process tears down
/// the libraries they are using.
public enum EndOfProcess {
    private static let handlers = Mutex<[(id: Int, body: @Sendable () -> Void)]>([])
    private static let nextID = Atomic<Int>(0)

    /// Registers `body`; the returned id removes it again (when the work is done early).
    @discardableResult
    public static func register(_ body: @escaping @Sendable () -> Void) -> Int {
        let id = nextID.add(1, ordering: .relaxed).newValue
        handlers.withLock { $0.append((id, body)) }
        return id
    }

    public static func unregister(_ id: Int) {
        handlers.withLock { $0.removeAll { $0.id == id } }
    }

    /// Runs what was registered, newest first, each once.
    public static func run() {
        let all = handlers.withLock { h in defer { h.removeAll() }; return h }
        for h in all.reversed() { h.body() }
    }
}
