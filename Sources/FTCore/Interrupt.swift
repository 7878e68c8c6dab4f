import Synchronization

/// The process-wide Ctrl-C flag. The signal handler only sets it; the running command polls it
/// (`checkInterrupt()`) at safe points — between training steps, between lines of a file — and
/// stops cleanly, leaving files as they were.
public enum Interrupt {
    public static let flag = Atomic<Bool>(false)

    public static var isSet: Bool { flag.load(ordering: .relaxed) }
    public static func set() { flag.store(true, ordering: .relaxed) }
    public static func clear() { flag.store(false, ordering: .relaxed) }

    /// Throws `Interrupted` when Ctrl-C was pressed.
    public static func check(_ detail: String = "interrupted") throws(Interrupted) {
        if isSet { throw Interrupted(detail) }
    }
}
