import Foundation
import FTCore

/// One request to an external plugin process and the JSON lines it answers with.
enum PluginProcess {
    enum Status {
        case finished(Int32)
        case timedOut
        case interrupted
        case failedToStart(String)
        case badOutput(String)

        var explanation: String {
            switch self {
            case .finished(let code): code == 0 ? "it exited" : code > 128 ? "it was killed by signal \(code - 128)" : "it exited with status \(code)"
            case .timedOut: "it did not answer in time"
            case .interrupted: "interrupted"
            case .failedToStart(let why): "it could not start: \(why)"
            case .badOutput(let line): "it printed something that is not a JSON message: \(TextWidth.truncate(line, to: 60))"
            }
        }
    }

    /// Starts `exe`, writes `request` as one line, and hands each JSON line it prints to
    /// `onMessage` until that returns true, the process ends, the time-out passes or Ctrl-C.
    static func exchange(_ exe: String, request: Value, timeout: Double?, onMessage: (Value) -> Bool) -> Status {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        do { try process.run() } catch { return .failedToStart(error.localizedDescription) }
        let line = JSON.encode(request) + "\n"
        // A plugin that exits before reading gives EPIPE; ignore it (the exit status says why).
        signal(SIGPIPE, SIG_IGN)
        try? input.fileHandleForWriting.write(contentsOf: Data(line.utf8))
        try? input.fileHandleForWriting.close()

        let fd = output.fileHandleForReading.fileDescriptor
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        while true {
            if Interrupt.isSet { process.interrupt(); return .interrupted }
            if let deadline, Date() > deadline { return .timedOut }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready < 0 { if errno == EINTR { continue }; return .finished(-1) }
            if ready == 0 { continue }
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 {
                process.waitUntilExit()
                return .finished(process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus)
            }
            buffer.append(contentsOf: chunk[0..<n])
            while let nl = buffer.firstIndex(of: 0x0A) {
                let lineBytes = Array(buffer[..<nl])
                buffer.removeSubrange(...nl)
                if lineBytes.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
                guard let message = try? JSON.decode(bytes: lineBytes, file: "plugin"), message.recordValue != nil else {
                    return .badOutput(String(decoding: lineBytes, as: UTF8.self))
                }
                if onMessage(message) { return .finished(0) }
            }
        }
    }
}
