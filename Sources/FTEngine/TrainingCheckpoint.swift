import FTCore
import Foundation

/// What a resumable run keeps besides its step: the trained values and AdamW's moments, as
/// `trainable.safetensors` and `optimizer.safetensors` (moments named NAME.exp_avg and
/// NAME.exp_avg_sq, as PyTorch's optimizer state names them). Shared by `train` runs and
/// `ftsh serve` jobs, so both resume to the same result an uninterrupted run gives.
public enum TrainingCheckpoint {
    /// The two files' contents for `model`'s trainable parameters.
    public static func encode(_ model: GPTModel, _ optimizer: AdamW) -> (weights: Data, moments: Data) {
        let params = model.trainableParameters
        func tensor(_ name: String, _ shape: [Int], _ p: UnsafeMutablePointer<Float>, _ n: Int) -> SafetensorsFile.Tensor {
            .init(name: name, shape: shape, values: UnsafeBufferPointer(start: p, count: n))
        }
        let weights = SafetensorsFile.encode(params.map { tensor($0.name, $0.shape, $0.value, $0.count) })
        var moments: [SafetensorsFile.Tensor] = []
        for p in params {
            let (m, v) = optimizer.momentBuffers(for: p)
            moments.append(tensor(p.name + ".exp_avg", p.shape, m, p.count))
            moments.append(tensor(p.name + ".exp_avg_sq", p.shape, v, p.count))
        }
        return (weights, SafetensorsFile.encode(moments))
    }

    /// Reads the two files in `folder` into a model set up the same way (same method, same
    /// trainable parameters) and its optimizer, which then continues at `step`. `missing` says
    /// what is wrong when a saved tensor is absent or has another shape.
    public static func restore(_ model: GPTModel, _ optimizer: AdamW, from folder: String, step: Int,
                               missing: (_ name: String, _ shape: [Int]) -> Diagnostic) throws(Diagnostic) {
        let weights = try SafetensorsFile(path: folder + "/trainable.safetensors")
        let moments = try SafetensorsFile(path: folder + "/optimizer.safetensors")
        for p in model.trainableParameters {
            for (file, name) in [(weights, p.name), (moments, p.name + ".exp_avg"), (moments, p.name + ".exp_avg_sq")] {
                guard let e = file.entries[name], e.shape == p.shape else { throw missing(name, p.shape) }
            }
            try weights.read(p.name, into: p.value)
            let (m, v) = optimizer.momentBuffers(for: p)
            try moments.read(p.name + ".exp_avg", into: m)
            try moments.read(p.name + ".exp_avg_sq", into: v)
        }
        optimizer.restore(step: step)
    }
}
