import FTCore
import Foundation
import Testing
@testable import FTEval

/// A loss curve that falls, with a validation loss that bottoms out at step 600 and rises
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
    @Test func terminalChartPrint() throws {
        let text = TerminalChart.render(try sampleChart(), width: 72, height: 20)
        print(text)
        print(TerminalChart.render(try sampleChart(), width: 72, height: 20, color: true))
    }
}

extension ChartTests {
    @Test func writeSamples() throws {
        let chart = try sampleChart()
        try SVGChart.render(chart).write(toFile: "/tmp/eval/chart.svg", atomically: true, encoding: .utf8)
        try Data(PNGChart.render(chart)).write(to: URL(fileURLWithPath: "/tmp/eval/chart.png"))
    }
}
