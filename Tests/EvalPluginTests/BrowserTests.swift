import FTCore
import FTEval
import Foundation
import Testing
@testable import EvalPlugin

/// The HTML report as a browser draws it: headless Chromium (Debian's `chromium` package)
/// takes a screenshot of the page and of an empty page of the same size. A page that drew
/// nothing (a broken document, a script error, an unreadable file) compresses as well as the
/// empty one; a report with tables, text and a chart takes many times the bytes.
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A screenshot takes a few seconds; a browser that hangs (no display, a profile lock, a
    /// sandbox problem) must not hang the test suite with it.
    static let timeLimit = 90.0

    struct Hung: Error, CustomStringConvertible {
        var description: String
    }

    static func screenshot(_ html: String, folder: String, name: String) throws -> Int {
        let page = folder + "/\(name).html", shot = folder + "/\(name).png"
        try html.write(toFile: page, atomically: true, encoding: .utf8)
        let browser = [path!, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,1400",
                       "--user-data-dir=" + folder + "/profile", "--screenshot=" + shot, "file://" + page]
        let p = Process()
        // coreutils' timeout runs the browser in a process group of its own and kills the whole
        // group (renderer and GPU helpers included) when time runs out.
        let timeout = "/usr/bin/timeout"
        if FileManager.default.isExecutableFile(atPath: timeout) {
            p.executableURL = URL(fileURLWithPath: timeout)
            p.arguments = ["--kill-after=5", String(Int(timeLimit))] + browser
        } else {
            p.executableURL = URL(fileURLWithPath: browser[0])
            p.arguments = Array(browser.dropFirst())
        }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // A second guard of our own, should timeout itself be missing or stuck.
        let deadline = Date().addingTimeInterval(timeLimit + 15)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning {
            p.terminate()
            Thread.sleep(forTimeInterval: 1)
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            throw Hung(description: "headless chromium did not finish \(name).html within \(Int(timeLimit)) s and was killed")
        }
        if p.terminationReason == .exit && p.terminationStatus == 124 {
            throw Hung(description: "headless chromium did not finish \(name).html within \(Int(timeLimit)) s and was killed")
        }
        let data = try #require(FileManager.default.contents(atPath: shot),
                                "chromium wrote no screenshot of \(name).html (exit status \(p.terminationStatus))")
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        return data.count
    }
}

@Suite struct BrowserTests {
    @Test(.enabled(if: Chromium.path != nil, "needs the chromium package"))
    func reportIsNotBlankInABrowser() throws {
        let folder = try temporaryFolder("browser")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = try TrainingLog.parse("step,train_loss,valid_loss\n1,2.4,2.5\n2,1.5,2.2\n3,1.2,2.1\n4,1.0,2.3\n", file: "m.csv")
        let chart = try log.chart(title: "run 1")
        var doc = ReportDocument(title: "검증 보고서 / validation report")
        doc.blocks = [.table(headers: ["metric", "A", "B"], rows: [["chrf", "48.93", "85.50"], ["rouge1-unicode", "44.44", "79.49"]],
                             numeric: [1, 2]),
                      .example(title: "Example 1", fields: [("reference", "사전 학습된 모델"), ("prediction", "모델")])]
        doc.blocks += EvalPlugin.curveBlocks(EvalPlugin.curveValue(log, chart: chart, source: "m.csv"), chart)
        let report = try Chromium.screenshot(doc.html(), folder: folder, name: "report")
        let blank = try Chromium.screenshot("<!DOCTYPE html><html><body></body></html>", folder: folder, name: "blank")
        #expect(report > 8 * blank, "report \(report) bytes against an empty page's \(blank)")
    }
}
