import Foundation
import Testing

/// The real `ftsh` binary, run as a user would: argv, stdin, exit status.
@Suite struct CommandLineTests {
    static let binary: String = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [dir.appendingPathComponent("ftsh").path]
        // The test bundle may sit one level deeper than the products.
        candidates.append(dir.deletingLastPathComponent().appendingPathComponent("ftsh").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    struct Result { var out: String; var err: String; var status: Int32 }

    func ftsh(_ args: [String], stdin: Data = Data(), env: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = NSTemporaryDirectory() + "ftsh-cli-home"
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let input = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = input
        p.standardOutput = out
        p.standardError = err
        try p.run()
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self), status: p.terminationStatus)
    }

    func script(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "ftsh-cli-\(UInt32.random(in: 0...UInt32.max)).ftsh"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func commandsAndStatus() throws {
        let r = try ftsh(["-c", "echo 안녕; exit 3"])
        #expect(r.out == "안녕\n")
        #expect(r.status == 3)
        #expect(try ftsh(["-c", "bogus"]).status == 2)
        #expect(try ftsh(["-c", "assert 1 == 2"]).status == 1)
        #expect(try ftsh(["--version"]).out.hasPrefix("ftsh "))
    }

    @Test func unknownOptionIsAUsageError() throws {
        let r = try ftsh(["--jsn"])
        #expect(r.status == 2)
        #expect(r.err.contains("did you mean --json?"))
    }

    @Test func jsonOptionPrintsValues() throws {
        #expect(try ftsh(["--json", "-c", "echo hi"]).out == "\"hi\"\n")
    }

    @Test func pipedInputRunsWithoutPrompt() throws {
        let r = try ftsh([], stdin: Data("echo a\necho \"b\nc\"\n".utf8))
        #expect(r.out == "a\nb\nc\n")
        #expect(r.status == 0)
    }

    @Test func scriptsStopAtTheFirstErrorUnlessKeepGoing() throws {
        let path = try script(Array("echo one\nnope\necho two\n".utf8))
        let r = try ftsh([path])
        #expect(r.out == "one\n")
        #expect(r.status == 2)
        let k = try ftsh(["--keep-going", path])
        #expect(k.out == "one\ntwo\n")
        #expect(k.status == 2)
    }

    @Test func unclosedQuoteAtEndOfScript() throws {
        let r = try ftsh([try script(Array("echo ok\necho \"never closed\n".utf8))])
        #expect(r.err.contains(":2:6: unclosed double quote [syntax.incomplete]"))
        #expect(r.status == 2)
    }

    @Test func unclosedBraceAtEndOfScript() throws {
        let r = try ftsh([try script(Array("if 1 {\n  echo x\n".utf8))])
        #expect(r.err.contains("expected '}' to close the block"))
        #expect(r.status == 2)
    }

    @Test func binaryScriptIsRefused() throws {
        let r = try ftsh([try script([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x00, 0x01])])
        #expect(r.err.contains("binary file"))
        #expect(r.status == 2)
    }

    @Test func invalidUTF8ScriptIsLocated() throws {
        let r = try ftsh([try script(Array("echo ok\necho ".utf8) + [0xFF, 0x0A])])
        #expect(r.err.contains(":2:6: invalid UTF-8"))
        #expect(r.status == 2)
    }

    @Test func oneMegabyteLine() throws {
        let long = String(repeating: "가", count: 350_000)
        let r = try ftsh([try script(Array("echo \(long)\n".utf8))])
        #expect(r.status == 0)
        #expect(r.out.count == long.count + 1)
    }

    @Test func missingScript() throws {
        let r = try ftsh(["/nonexistent/x.ftsh"])
        #expect(r.err.contains("no such file"))
        #expect(r.status == 1)
    }

    @Test func completionScripts() throws {
        for shell in ["bash", "zsh", "fish"] {
            let r = try ftsh(["completions", shell])
            #expect(r.status == 0 && r.out.contains("ftsh"))
        }
        #expect(try ftsh(["completions", "tcsh"]).status == 2)
    }

    @Test func recordedSessionChecksClean() throws {
        let dir = NSTemporaryDirectory() + "ftsh-rec-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = dir + "/s.ftsh"
        _ = try ftsh([], stdin: Data("record start \(file)\nset x = 2\necho $x\nbogus\nrecord stop\n".utf8))
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("echo $x\n#=> 2\n"))
        #expect(text.contains("#? 2"))
        let check = try ftsh(["--check", file])
        #expect(check.status == 0, "\(check.out)")
        // Recording refuses to overwrite without --force.
        let again = try ftsh(["-c", "record start \(file)"])
        #expect(again.status != 0)
        #expect(again.err.contains("--force"))
    }
}
