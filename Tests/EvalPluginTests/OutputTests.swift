import FTCore
import FTEval
import FTPluginKit
import Foundation
import Testing
@testable import EvalPlugin

@Suite struct TrainingLogTests {
    @Test func readsOpenAIResultFiles() throws {
        let csv = "\u{FEFF}step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\r\n1,2.0,0.5,,\r\n2,1.5,0.6,1.8,0.55\r\n3,1.0,0.7,,\r\n4,0.8,0.75,1.6,0.6\r\n5,0.6,0.8,1.7,0.58\r\n"
        let log = try TrainingLog.parse(csv, file: "r.csv")
        #expect(log.rows.count == 5)
        #expect(log.train.map(\.y) == [2.0, 1.5, 1.0, 0.8, 0.6])
        #expect(log.validation.map(\.x) == [2, 4, 5])
        #expect(log.accuracy.name == "valid accuracy")
        let m = try #require(log.validationMinimum)
        #expect(m.step == 4 && m.loss == 1.6 && abs(m.rise - 0.1) < 1e-12)
        let chart = try log.chart(title: "t")
        #expect(chart.series.map(\.name) == ["train loss", "valid loss", "valid accuracy"])
    }

    @Test func columnsByNameAndWithoutValidation() throws {
        let log = try TrainingLog.parse("train_accuracy,step,train_loss\n0.5,10,2\n0.6,20,1\n", file: "m.csv")
        #expect(log.train == [.init(x: 10, y: 2), .init(x: 20, y: 1)])
        #expect(log.validationMinimum == nil)
        #expect(log.accuracy.name == "train accuracy")
    }

    @Test func badLogsAreLocatedErrors() {
        var d = expectDiagnostic("eval.non-finite") { _ = try TrainingLog.parse("step,train_loss,valid_loss\n1,2,3\n2,1,inf\n", file: "m.csv") }
        #expect(d?.location?.line == 3 && d?.location?.column == 5)
        d = expectDiagnostic("eval.bad-csv") { _ = try TrainingLog.parse("step,train_loss\n1,abc\n", file: "m.csv") }
        #expect(d?.location?.line == 2 && d?.location?.column == 3)
        expectDiagnostic("eval.bad-csv") { _ = try TrainingLog.parse("epoch,train_loss\n1,2\n", file: "m.csv") }
        expectDiagnostic("eval.bad-csv") { _ = try TrainingLog.parse("step,accuracy\n1,2\n", file: "m.csv") }
        expectDiagnostic("eval.bad-csv") { _ = try TrainingLog.parse("step,train_loss\n,2\n", file: "m.csv") }
        expectDiagnostic("eval.empty") { _ = try TrainingLog.parse("\n\n", file: "m.csv") }
        expectDiagnostic("eval.empty") { _ = try TrainingLog.parse("step,train_loss,valid_loss\n1,,\n", file: "m.csv") }
    }

    @Test func theCurveValueRedrawsTheSameChart() throws {
        let log = try TrainingLog.parse("step,train_loss,valid_loss\n1,2,2.5\n2,1.5,2.2\n3,1.2,2.4\n", file: "m.csv")
        let chart = try log.chart(title: "run")
        let value = Value.record(EvalPlugin.curveValue(log, chart: chart, source: "m.csv"))
        let redrawn = try #require(EvalPlugin.chart(from: value))
        #expect(redrawn.series == chart.series)
        #expect(TerminalChart.render(redrawn) == TerminalChart.render(chart))
        let text = EvalRender.curve(value, RenderOptions(color: false, width: 80))
        #expect(text.contains("lowest (2.2000) at step 2 and rose 0.2000"))
    }
}

@Suite struct RenderTests {
    @Test func wrapKeepsWithinTheWidth() {
        let texts = ["It adjusts the weights of a pretrained model on task examples.",
                     "사전 학습된 모델을 특정 작업의 예제로 추가 학습시키는 방법입니다.",
                     "파인튜닝은사전학습된모델을특정작업에맞게추가로학습시키는방법입니다",
                     "https://example.com/a/very/long/path/that/does/not/fit/anywhere/at/all",
                     "two\n\nparagraphs", ""]
        for text in texts {
            for width in [8, 17, 30] {
                let lines = EvalRender.wrap(text, width: width)
                for l in lines { #expect(TextWidth.width(of: l) <= width, "\(width): \(l)") }
                let joined = lines.joined().replacingOccurrences(of: " ", with: "")
                #expect(joined == text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\n", with: ""),
                        "nothing lost at width \(width)")
            }
        }
        #expect(EvalRender.wrap("one two three", width: 8) == ["one two", "three"])
        #expect(EvalRender.wrap("two\n\nparagraphs", width: 20) == ["two", "", "paragraphs"])
    }

    @Test func sideBySideColumnsLineUpWithWideText() {
        let e: Value = .record(["example": .int(3), "reference": "4", "a": "모델을 만드는 것입니다. 정말 그렇습니다 아주 길게 씁니다",
                                "b": "4", "scores": .record(["chrf": .record(["a": .number(10), "b": .number(100)])])])
        let text = EvalRender.sideBySide(e, metric: "chrf", a: "base", b: "tuned", width: 60)
        let rows = text.split(separator: "\n").filter { $0.contains("│") }
        #expect(rows.count >= 3)
        let bar = rows.map { r in TextWidth.width(of: r[..<r.firstIndex(of: "│")!]) }
        #expect(Set(bar).count == 1, "the divider sits in the same column on every row: \(bar)")
        #expect(text.hasPrefix("example 3  chrf 10.00 → 100.00 (+90.00)"))
    }
}

@Suite struct ReportTests {
    @Test func dataCannotBecomeMarkup() {
        var doc = ReportDocument(title: "T <1>")
        doc.blocks = [.table(headers: ["metric", "score"], rows: [["a|b", "1"]], numeric: [1]),
                      .example(title: "Example 1", fields: [("prediction", "<script>alert(1)</script> *bold*")])]
        let md = doc.markdown()
        #expect(md.contains("| a\\|b | 1 |"))
        #expect(md.contains("\\<script\\>") && md.contains("\\*bold\\*"))
        let html = doc.html()
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("<title>T &lt;1&gt;</title>"))
    }

    @Test func htmlIsSelfContainedWithTheChartInline() throws {
        let log = try TrainingLog.parse("step,train_loss,valid_loss\n1,2,2.5\n2,1.5,2.2\n3,1.2,2.4\n", file: "m.csv")
        let chart = try log.chart(title: "run")
        let blocks = EvalPlugin.curveBlocks(EvalPlugin.curveValue(log, chart: chart, source: "m.csv"), chart)
        let doc = ReportDocument(title: "R", blocks: blocks)
        let html = doc.html()
        #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""))
        #expect(!html.contains("src=") && !html.contains("href="), "no external resources")
        let md = doc.markdown()
        #expect(md.contains("```\n") && md.contains("◆ valid loss minimum 2.2 at step 2"))
    }
}
