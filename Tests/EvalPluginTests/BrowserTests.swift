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

    static func screenshot(_ html: String, folder: String, name: String) throws -> Int {
        let page = folder + "/\(name).html", shot = folder + "/\(name).png"
        try html.write(toFile: page, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path!)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,1400",
                       "--user-data-dir=" + folder + "/profile", "--screenshot=" + shot, "file://" + page]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let data = try #require(FileManager.default.contents(atPath: shot), "chromium wrote no screenshot")
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        return data.count
    }
}

@Suite struct BrowserTests {
    @Test(.enabled(if: Chromium.path != nil, "needs the chromium package"))
    func reportIsNotBlankInABrowser() throws {
        let folder = try temporaryFolder("browser")
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
        try? FileManager.default.removeItem(atPath: folder)
    }
}
