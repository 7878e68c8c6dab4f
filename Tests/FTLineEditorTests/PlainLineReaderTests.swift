import Foundation
import Testing
@testable import FTLineEditor

@Suite struct PlainLineReaderTests {
    /// Reads everything `input` becomes through a pipe, written from another thread so inputs
    /// larger than the pipe's buffer flow as they would from a real writer.
    func readAll(_ input: [UInt8]) -> [LineReadResult] {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let writer = Thread {
            var rest = input[...]
            while !rest.isEmpty {
                let n = rest.withUnsafeBytes { write(writeEnd, $0.baseAddress, min($0.count, 10_000)) }
                if n <= 0 { break }
                rest = rest.dropFirst(n)
            }
            close(writeEnd)
        }
        writer.start()
        defer { close(readEnd) }
        let reader = PlainLineReader(fileDescriptor: readEnd)
        var results: [LineReadResult] = []
        while true {
            let r = reader.readLine(prompt: "ft> ")
            results.append(r)
            if r == .eof { break }
        }
        #expect(reader.readLine(prompt: "ft> ") == .eof)
        return results
    }

    @Test func linesInvalidUTF8AndAMegabyteLine() {
        // 350,000 three-byte characters: over 1 MB, with characters cut at every block boundary.
        let long = String(repeating: "가", count: 350_000)
        var input = Array("echo 안녕하세요\n".utf8)
        input += Array("bad ".utf8) + [0xFF, 0xFE, 0xC3] + Array(" end\n".utf8)
        input += Array(long.utf8) + [0x0A]
        input += Array("dos line\r\n\n\nlast without newline".utf8)
        let results = readAll(input)
        #expect(results.count == 8)
        #expect(results[0] == .line("echo 안녕하세요"))
        #expect(results[1] == .line("bad \u{FFFD}\u{FFFD}\u{FFFD} end"))
        if case .line(let text) = results[2] {
            #expect(text.utf8.count == 1_050_000)
            #expect(text == long)
        } else {
            Issue.record("expected the long line, got \(results[2])")
        }
        #expect(Array(results[3...]) == [.line("dos line"), .line(""), .line(""), .line("last without newline"), .eof])
    }

    @Test func emptyInputIsEndOfInput() {
        #expect(readAll([]) == [.eof])
        #expect(readAll([0x0A]) == [.line(""), .eof])
    }

    @Test func manyShortLinesComeBackInOrder() {
        let lines = (0..<20_000).map { "line \($0) 줄" }
        let results = readAll(Array((lines.joined(separator: "\n") + "\n").utf8))
        #expect(results == lines.map { .line($0) } + [.eof])
    }
}
