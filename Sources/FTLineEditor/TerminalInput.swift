#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One byte of terminal input, or why there is none.
enum ByteRead: Equatable {
    case byte(UInt8), end, interrupted, failed(Int32)
}

/// Reads the terminal a byte at a time while also watching a wake-up pipe that the signal
/// handlers write to, so Ctrl-C ends a read that is blocked on this thread even when the signal
/// was handled on another one (where the blocked read would never see EINTR).
struct TerminalInput {
    var fd: Int32
    /// Read end of the wake-up pipe, or -1 for none.
    var wakeFD: Int32
    var isInterrupted: () -> Bool

    /// `afterWake` runs each time the wake-up pipe is drained (e.g. to redraw after SIGCONT).
    func nextByte(afterWake: () -> Void = {}) -> ByteRead {
        while true {
            if isInterrupted() { return .interrupted }
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, nfds_t(wakeFD >= 0 ? 2 : 1), -1) < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failed(errno)
            }
            if wakeFD >= 0 && fds[1].revents != 0 {
                TerminalInput.drain(wakeFD)
                afterWake()
                continue
            }
            guard fds[0].revents != 0 else { continue }
            var byte: UInt8 = 0
            let n = read(fd, &byte, 1)
            if n == 1 { return .byte(byte) }
            if n == 0 { return .end }
            if errno == EINTR || errno == EAGAIN { continue }
            return .failed(errno)
        }
    }

    /// Empties a non-blocking pipe.
    static func drain(_ fd: Int32) {
        guard fd >= 0 else { return }
        var sink = [UInt8](repeating: 0, count: 64)
        while sink.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }
}

/// Turns terminal bytes into Unicode scalars for libedit without the C library's locale.
/// Malformed input (stray continuation bytes, overlong forms, surrogates, a cut-off sequence)
/// becomes U+FFFD; a byte that interrupts a sequence starts the next character.
struct UTF8KeyDecoder {
    enum Key: Equatable { case scalar(UInt32), end, interrupted, failed(Int32) }
    static let replacement: UInt32 = 0xFFFD

    private var pending: UInt8?

    mutating func reset() { pending = nil }

    mutating func next(_ source: () -> ByteRead) -> Key {
        var value: UInt32 = 0
        var remaining = 0
        var minimum: UInt32 = 0
        while true {
            let byte: UInt8
            if let p = pending {
                byte = p
                pending = nil
            } else {
                switch source() {
                case .byte(let b): byte = b
                case .end: return remaining > 0 ? .scalar(Self.replacement) : .end
                case .interrupted: return .interrupted
                case .failed(let code): return .failed(code)
                }
            }
            if remaining > 0 {
                guard byte & 0xC0 == 0x80 else {
                    pending = byte
                    return .scalar(Self.replacement)
                }
                value = value << 6 | UInt32(byte & 0x3F)
                remaining -= 1
                if remaining > 0 { continue }
                return .scalar(value >= minimum && Unicode.Scalar(value) != nil ? value : Self.replacement)
            }
            switch byte {
            case 0..<0x80: return .scalar(UInt32(byte))
            case 0xC2...0xDF: (value, remaining, minimum) = (UInt32(byte & 0x1F), 1, 0x80)
            case 0xE0...0xEF: (value, remaining, minimum) = (UInt32(byte & 0x0F), 2, 0x800)
            case 0xF0...0xF4: (value, remaining, minimum) = (UInt32(byte & 0x07), 3, 0x10000)
            default: return .scalar(Self.replacement)
            }
        }
    }
}
