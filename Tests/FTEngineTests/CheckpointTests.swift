import Foundation
import Testing
import FTCore
@testable import FTEngine

func scratchDir(_ label: String) -> String {
    let d = NSTemporaryDirectory() + "ftengine-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

func expectDiagnostic(_ id: String, _ body: () throws -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("expected \(id), got success", sourceLocation: sourceLocation)
    } catch let d as Diagnostic {
        #expect(d.id == id, "\(d.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

/// Raw safetensors bytes from a header dictionary and data.
func rawSafetensors(header: String, data: [UInt8]) -> Data {
    var d = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { d.append(contentsOf: $0) }
    d.append(contentsOf: Array(header.utf8))
    d.append(contentsOf: data)
    return d
}

@Suite struct CheckpointTests {
    @Test func saveThenLoadRoundTripsAndTransformersLayout() throws {
        let dir = scratchDir("save")
        let model = try HFCheckpoint.load(folder: Golden.modelFolder)
        try HFCheckpoint.save(model, to: dir + "/out", overwrite: false)
        let again = try HFCheckpoint.load(folder: dir + "/out")
        #expect(again.config == model.config)
        for (a, b) in zip(model.baseParameters, again.baseParameters) {
            #expect(a.name == b.name && Array(a.values) == Array(b.values))
        }
        // The same tensor names and shapes as the file transformers wrote, no lm_head.
        let ours = try SafetensorsFile(path: dir + "/out/model.safetensors")
        let theirs = try SafetensorsFile(path: Golden.modelFolder + "/model.safetensors")
        #expect(Set(ours.names) == Set(theirs.names))
        for n in ours.names { #expect(ours.entries[n]!.shape == theirs.entries[n]!.shape) }
        #expect(ours.metadata["format"] == "pt")
        // Refuses to overwrite without permission; nothing else is left behind.
        expectDiagnostic("io.exists") { try HFCheckpoint.save(model, to: dir + "/out", overwrite: false) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(leftovers == ["out"])
        // Half precision keeps values within fp16 rounding.
        try HFCheckpoint.save(model, to: dir + "/half", dtype: .f16, overwrite: false)
        let half = try HFCheckpoint.load(folder: dir + "/half")
        // config.json says how the weights are stored, as transformers writes it.
        let halfConfig = try String(contentsOfFile: dir + "/half/config.json", encoding: .utf8)
        #expect(halfConfig.contains("\"dtype\": \"float16\""))
        for (a, b) in zip(model.baseParameters, half.baseParameters) {
            for i in 0..<a.count { #expect(abs(a.value[i] - b.value[i]) <= abs(a.value[i]) * 1e-3 + 1e-7) }
        }
        try HFCheckpoint.save(model, to: dir + "/bf", dtype: .bf16, overwrite: false)
        let bf = try HFCheckpoint.load(folder: dir + "/bf")
        #expect(abs(bf.wte.value[5] - model.wte.value[5]) <= abs(model.wte.value[5]) / 128)
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func badSafetensorsFilesGiveClearErrors() throws {
        let dir = scratchDir("bad")
        func write(_ name: String, _ d: Data) -> String { let p = dir + "/" + name; FileManager.default.createFile(atPath: p, contents: d); return p }
        let f4: [UInt8] = [0, 0, 128, 63, 0, 0, 0, 64] // 1.0, 2.0
        let good = write("good", rawSafetensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: f4))
        #expect(try SafetensorsFile(path: good).floats("a") == [1, 2])
        let cases: [(String, Data)] = [
            ("empty", Data()),
            ("short", Data([1, 2, 3])),
            ("hugeHeader", rawSafetensors(header: "{}", data: []).replacing(Data([2, 0, 0, 0, 0, 0, 0, 0]), with: Data([255, 255, 255, 255, 0, 0, 0, 0]))),
            ("truncatedHeader", rawSafetensors(header: #"{"a":{"dtype":"F32""#, data: [])),
            ("notJSON", rawSafetensors(header: "hello", data: [])),
            ("lyingSize", rawSafetensors(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: f4)),
            ("pastEnd", rawSafetensors(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: f4)),
            ("overlap", rawSafetensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: f4)),
            ("dtype", rawSafetensors(header: #"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: f4)),
            ("negativeShape", rawSafetensors(header: #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: f4)),
            ("badOffsets", rawSafetensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: f4)),
        ]
        for (name, data) in cases {
            let p = write(name, data)
            expectDiagnostic("model.bad-safetensors") { _ = try SafetensorsFile(path: p) }
        }
        expectDiagnostic("model.missing-file") { _ = try SafetensorsFile(path: dir + "/nope") }
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func badModelFoldersAreRejectedBeforeAnythingLoads() throws {
        let dir = scratchDir("folders")
        let fm = FileManager.default
        func folder(_ name: String, config: String?, weights: String? = Golden.modelFolder + "/model.safetensors") -> String {
            let p = dir + "/" + name
            try? fm.createDirectory(atPath: p, withIntermediateDirectories: true)
            if let config { fm.createFile(atPath: p + "/config.json", contents: Data(config.utf8)) }
            if let weights { try? fm.copyItem(atPath: weights, toPath: p + "/model.safetensors") }
            return p
        }
        let good = try String(contentsOfFile: Golden.modelFolder + "/config.json", encoding: .utf8)
        expectDiagnostic("model.missing-file") { _ = try HFCheckpoint.load(folder: dir + "/absent") }
        expectDiagnostic("model.missing-file") { _ = try HFCheckpoint.load(folder: folder("noconfig", config: nil)) }
        expectDiagnostic("model.missing-file") { _ = try HFCheckpoint.load(folder: folder("noweights", config: good, weights: nil)) }
        let llama = good.replacingOccurrences(of: "\"model_type\": \"gpt2\"", with: "\"model_type\": \"llama\"")
        expectDiagnostic("model.unsupported-architecture") { _ = try HFCheckpoint.load(folder: folder("llama", config: llama)) }
        let relu = good.replacingOccurrences(of: "gelu_new", with: "relu")
        expectDiagnostic("model.unsupported-architecture") { _ = try HFCheckpoint.load(folder: folder("relu", config: relu)) }
        let wide = good.replacingOccurrences(of: "\"n_embd\": 32", with: "\"n_embd\": 64")
        expectDiagnostic("model.shape-mismatch") { _ = try HFCheckpoint.load(folder: folder("wide", config: wide)) }
        let deep = good.replacingOccurrences(of: "\"n_layer\": 2", with: "\"n_layer\": 3")
        expectDiagnostic("model.missing-tensor") { _ = try HFCheckpoint.load(folder: folder("deep", config: deep)) }
        let heads = good.replacingOccurrences(of: "\"n_head\": 2", with: "\"n_head\": 5")
        expectDiagnostic("model.bad-config") { _ = try HFCheckpoint.load(folder: folder("heads", config: heads)) }
        expectDiagnostic("data.invalid-json") { _ = try HFCheckpoint.load(folder: folder("json", config: "{\"n_embd\": ")) }
        // A truncated weights file.
        let cut = folder("cut", config: good, weights: nil)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Golden.modelFolder + "/model.safetensors"))
        fm.createFile(atPath: cut + "/model.safetensors", contents: bytes.prefix(bytes.count - 100))
        expectDiagnostic("model.bad-safetensors") { _ = try HFCheckpoint.load(folder: cut) }
        try? fm.removeItem(atPath: dir)
    }

    @Test func configRoundTripsThroughHFJSON() throws {
        let c = GPTConfig(vocabSize: 300, contextLength: 40, layers: 3, heads: 4, embedding: 32, inner: 100,
                          bosTokenId: 1, eosTokenId: 2)
        let back = try GPTConfig.fromHF(json: c.hfJSON())
        #expect(back == c)
        #expect(c.hfJSON().contains("\"layer_norm_epsilon\": 1e-05") || c.hfJSON().contains("\"layer_norm_epsilon\": 0.00001"))
        let gpt2 = try GPTConfig.fromHF(json: #"{"model_type":"gpt2","vocab_size":50257,"n_positions":1024,"n_embd":768,"n_layer":12,"n_head":12}"#)
        #expect(gpt2.parameterCount == 124_439_808)
        let model = try GPTModel(config: c)
        #expect(model.parameterCount == c.parameterCount)
    }
}
