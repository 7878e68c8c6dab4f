import Foundation
import Synchronization
import Testing
@testable import FTLineEditor

@Suite struct UTF8KeyDecoderTests {
    func keys(_ bytes: [UInt8]) -> [UTF8KeyDecoder.Key] {
        var decoder = UTF8KeyDecoder()
        var rest = bytes[...]
        var out: [UTF8KeyDecoder.Key] = []
        while true {
            let key = decoder.next {
                guard let b = rest.first else { return .end }
                rest = rest.dropFirst()
                return .byte(b)
            }
            out.append(key)
            if key == .end { return out }
        }
    }

    func scalars(_ text: String) -> [UTF8KeyDecoder.Key] {
        text.unicodeScalars.map { .scalar($0.value) } + [.end]
    }

    @Test func koreanAndEmojiDecodeToScalars() {
        let text = "echo 안녕하세요 👩‍💻"
        #expect(keys(Array(text.utf8)) == scalars(text))
    }

    @Test func malformedBytesBecomeReplacementCharacters() {
        let r = UTF8KeyDecoder.Key.scalar(0xFFFD)
        // A stray continuation byte, and bytes that never start a character.
        #expect(keys([0x80, 0x41, 0xC0, 0xFF]) == [r, .scalar(0x41), r, r, .end])
        // A sequence cut short by an ASCII byte: the ASCII byte still comes through.
        #expect(keys([0xEA, 0xB0, 0x41]) == [r, .scalar(0x41), .end])
        // Overlong encoding of "/" and an encoded surrogate.
        #expect(keys([0xE0, 0x80, 0xAF]) == [r, .end])
        #expect(keys([0xED, 0xA0, 0x80]) == [r, .end])
        // Input ending inside a character.
        #expect(keys([0x41, 0xF0, 0x9F]) == [.scalar(0x41), r, .end])
    }

    @Test func interruptionsAndErrorsPassThrough() {
        var decoder = UTF8KeyDecoder()
        #expect(decoder.next { .interrupted } == .interrupted)
        #expect(decoder.next { .failed(EIO) } == .failed(EIO))
    }
}

@Suite struct TerminalInputTests {
    func makePipe() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        return (fds[0], fds[1])
    }

    @Test func readsBytesThenTheEnd() {
        let data = makePipe()
        #expect(write(data.write, "가a", 4) == 4)
        close(data.write)
        defer { close(data.read) }
        let input = TerminalInput(fd: data.read, wakeFD: -1, isInterrupted: { false })
        let bytes = (0..<5).map { _ in input.nextByte() }
        #expect(bytes == [.byte(0xEA), .byte(0xB0), .byte(0x80), .byte(0x61), .end])
    }

    @Test func aWakeUpEndsABlockedReadWhenInterrupted() {
        let data = makePipe()
        let wake = makePipe()
        _ = fcntl(wake.read, F_SETFL, fcntl(wake.read, F_GETFL) | O_NONBLOCK)
        defer { [data.read, data.write, wake.read, wake.write].forEach { close($0) } }
        let flag = Atomic<Bool>(false)
        let wakeWrite = wake.write
        // What the Ctrl-C handler does, from another thread while the read below waits on an
        // empty terminal.
        let thread = Thread {
            usleep(50_000)
            flag.store(true, ordering: .relaxed)
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
        thread.start()
        var wakeUps = 0
        let input = TerminalInput(fd: data.read, wakeFD: wake.read, isInterrupted: { flag.load(ordering: .relaxed) })
        #expect(input.nextByte(afterWake: { wakeUps += 1 }) == .interrupted)
        #expect(wakeUps == 1)
    }

    @Test func aWakeUpWithoutInterruptKeepsReading() {
        let data = makePipe()
        let wake = makePipe()
        _ = fcntl(wake.read, F_SETFL, fcntl(wake.read, F_GETFL) | O_NONBLOCK)
        defer { [data.read, data.write, wake.read, wake.write].forEach { close($0) } }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        _ = write(wake.write, &byte, 1)
        _ = write(data.write, "x", 1)
        var wakeUps = 0
        let input = TerminalInput(fd: data.read, wakeFD: wake.read, isInterrupted: { false })
        #expect(input.nextByte(afterWake: { wakeUps += 1 }) == .byte(UInt8(ascii: "x")))
        // Both pending wake-up bytes were drained at once.
        #expect(wakeUps == 1)
    }
}

@Suite struct TerminalLocaleTests {
    @Test func characterHandlingIsUTF8AfterSetUp() {
        #expect(Terminal.setUpUTF8Locale())
        #expect(Terminal.isUTF8Codeset())
        // The C library now decodes a Korean syllable as one wide character.
        var wide: wchar_t = 0
        let bytes: [CChar] = Array("한".utf8CString)
        #expect(mbtowc(&wide, bytes, 3) == 3)
        #expect(wide == 0xD55C)
    }
}
