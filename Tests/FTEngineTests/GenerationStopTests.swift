import FTCore
import Testing
@testable import FTEngine

@Suite struct GenerationStopTests {
    /// A stop token ends generation, and the callback sees it first: that is how callers tell
    /// an end-of-text (a finished answer) from running out of tokens or context.
    @Test func theCallbackSeesTheStopToken() throws {
        let model = try GPTModel.random(config: smallConfig, seed: 5)
        var rng = SeededRandom(seed: 1)
        let free = try Generator(model: model).generate(prompt: [1, 2, 3], options: SamplingOptions(temperature: 0, maxNewTokens: 6), rng: &rng)
        #expect(free.count == 6)
        let stop = free[2]
        let firstStop = free.firstIndex(of: stop)!
        var seen: [Int] = []
        let stopped = try Generator(model: model).generate(
            prompt: [1, 2, 3], options: SamplingOptions(temperature: 0, maxNewTokens: 6, stopTokens: [stop]), rng: &rng) { id in
            seen.append(id)
            return true
        }
        #expect(stopped == Array(free[...firstStop]))
        #expect(seen == stopped)
    }
}
