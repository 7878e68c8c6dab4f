import FTCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import FTEval

/// A loss curve that falls, with a validation loss that bottoms out at step 700 (1.02) and rises
/// again (overfitting), and a token accuracy that climbs.
func sampleChart() throws -> LineChart {
    var train: [LineChart.Point] = [], valid: [LineChart.Point] = [], acc: [LineChart.Point] = []
    for step in stride(from: 0, through: 1000, by: 10) {
        let s = Double(step)
        train.append(.init(x: s, y: 3.2 * exp(-s / 250) + 0.4 + 0.05 * sin(s / 7)))
        acc.append(.init(x: s, y: 0.3 + 0.6 * (1 - exp(-s / 300))))
    }
    for step in stride(from: 0, through: 1000, by: 100) {
        let s = Double(step)
        valid.append(.init(x: s, y: 3.0 * exp(-s / 250) + 0.8 + pow(max(0, s - 600) / 400, 2) * 0.6))
    }
    return try LineChart.trainingCurves(title: "tiny-gpt2 LoRA run", train: train, validation: valid, tokenAccuracy: acc)
}

@Suite struct ChartTests {
    @Test func terminalChartLayout() throws {
        let chart = try sampleChart()
        for (w, h) in [(72, 20), (40, 12), (120, 30)] {
            let text = TerminalChart.render(chart, width: w, height: h)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == h, "\(w)x\(h): \(lines.count) lines")
            for l in lines { #expect(TextWidth.width(of: l) <= w, "\(w)x\(h): too wide: \(l)") }
            #expect(text.contains("tiny-gpt2 LoRA run"))
            #expect(text.contains("◆ valid loss minimum 1.02 at step 700"), "\(text)")
            #expect(text.contains("train loss") && text.contains("token accuracy (right)"))
            #expect(lines.contains { $0.contains("└") && $0.contains("┬") })
            #expect(text.unicodeScalars.contains { $0.value > 0x2800 && $0.value <= 0x28FF }, "braille dots")
            #expect(!text.contains("\u{1B}["), "no colour unless asked")
        }
        let colored = TerminalChart.render(chart, width: 72, height: 20, color: true)
        #expect(colored.contains("\u{1B}[31m◆"))
    }

    /// The ◆ sits in the plot column of step 700: 70% of the way across the plot.
    @Test func terminalMinimumIsWhereTheMinimumIs() throws {
        let text = TerminalChart.render(try sampleChart(), width: 72, height: 20)
        let rows = text.split(separator: "\n").map { Array($0) }
        guard let row = rows.first(where: { $0.contains("◆") && ($0.contains("│") || $0.contains("┤")) }),
              let axis = row.firstIndex(where: { $0 == "│" || $0 == "┤" }),
              let end = row.lastIndex(where: { $0 == "│" || $0 == "├" }),
              let mark = row.firstIndex(of: "◆") else {
            Issue.record("no ◆ inside the plot:\n\(text)"); return
        }
        let fraction = Double(mark - axis - 1) / Double(end - axis - 2)
        #expect(abs(fraction - 0.7) < 0.03, "\(fraction)")
    }

    @Test func svgIsWellFormedAndLabelled() throws {
        let svg = SVGChart.render(try sampleChart(), width: 800, height: 450)
        let doc = try XMLDocument(data: Data(svg.utf8))
        let texts = try doc.nodes(forXPath: "//*[local-name()='text']").compactMap(\.stringValue)
        for label in ["tiny-gpt2 LoRA run", "step", "loss", "accuracy", "train loss", "valid loss",
                      "token accuracy (right axis)", "min 1.02 at step 700", "0", "500", "1000"] {
            #expect(texts.contains(label), "missing text \(label): \(texts)")
        }
        #expect(try doc.nodes(forXPath: "//*[local-name()='polyline']").count == 3)
        // The minimum marker: a red circle, and a dashed line through it.
        let red = try doc.nodes(forXPath: "//*[local-name()='circle'][@fill='#c01c28']")
        #expect(red.count == 1)
        #expect(try doc.nodes(forXPath: "//*[local-name()='line'][@stroke-dasharray]").count == 1)
        let chart = LineChart(title: "a < b & \"c\"", series: [.init(name: "x", points: [.init(x: 0, y: 1), .init(x: 1, y: 2)])])
        #expect(try XMLDocument(data: Data(SVGChart.render(chart).utf8)).rootElement() != nil)
    }

    @Test func pngDecodesToTheDrawing() throws {
        let chart = try sampleChart()
        let png = PNGChart.render(chart, width: 640, height: 360)
        #expect(png == PNGChart.render(chart, width: 640, height: 360), "deterministic")
        #expect(png.count < 120_000, "compressed: \(png.count) bytes")
        let image = try decodePNG(png)
        #expect(image.width == 640 && image.height == 360)
        #expect(image.pixel(2, 2) == [255, 255, 255], "white background")
        // The centre of the minimum marker is the marker's red.
        let drawing = ChartDrawing(chart, width: 640, height: 360)
        var centre: (Double, Double)? = nil
        for case .circle(let x, let y, let r, let fill, _) in drawing.shapes where fill == ChartDrawing.minimumInk && r > 5 {
            centre = (x, y)
        }
        let c = try #require(centre)
        #expect(image.pixel(Int(c.0), Int(c.1)) == [0xc0, 0x1c, 0x28])
        // Somewhere on the train loss line the series colour appears.
        #expect(image.count(of: [0x1f, 0x6f, 0xb4]) > 300)
        #expect(image.count(of: [0x22, 0x22, 0x22]) > 200, "text is drawn")
    }

    @Test func badSeriesAreRejected() {
        expectDiagnostic("eval.empty-chart") { _ = try LineChart.trainingCurves(train: []) }
        expectDiagnostic("eval.non-finite") {
            _ = try LineChart.trainingCurves(train: [.init(x: 0, y: 1), .init(x: 1, y: .nan)])
        }
    }

    @Test func flatAndSinglePointSeriesStillDraw() throws {
        let flat = try LineChart.trainingCurves(train: [.init(x: 5, y: 2), .init(x: 5, y: 2)])
        #expect(TerminalChart.render(flat).contains("⣀ train loss"))
        #expect(!PNGChart.render(flat, width: 320, height: 200).isEmpty)
        #expect(SVGChart.render(flat).contains("<polyline"))
    }

    @Test func ticksAreNice() {
        let t = Ticks(0.37...3.8, count: 6)
        #expect(t.step == 0.5 && t.lower == 0 && t.upper == 4)
        #expect(t.values.map(t.label) == ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0"])
        #expect(Ticks(0...20000, count: 4).values.map(Ticks(0...20000, count: 4).label) == ["0", "5k", "10k", "15k", "20k"])
    }
}
