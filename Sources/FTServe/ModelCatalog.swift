import FTCore
import FTEngine
import Foundation
import ModelPlugin

/// The models the server offers: the configured base models, every fine-tuned model a job
/// produced, and the checkpoints of those jobs (usable as models, though not listed, as in the
/// API). Loaded models are kept for the next request, a few at a time.
final class ModelCatalog: @unchecked Sendable {
    let bases: [String: String]
    let store: Store
    private let lock = NSLock()
    private var cache: [(id: String, model: LocalGPT)] = []
    private let cacheSize = 4

    init(bases: [String: String], store: Store) {
        self.bases = bases
        self.store = store
    }

    enum Entry {
        case base(folder: String)
        case tuned(folder: String, base: String, job: JobRecord)
    }

    func entry(_ id: String) -> Entry? {
        if let folder = bases[id] { return .base(folder: folder) }
        guard id.hasPrefix("ft:"), !store.isDeleted(id) else { return nil }
        for job in store.allJobs() where job.status == "succeeded" {
            if job.fineTunedModel == id { return .tuned(folder: store.jobFolder(job.id) + "/train/model", base: job.model, job: job) }
            if let c = job.checkpoints.first(where: { $0.model == id }) {
                return .tuned(folder: store.jobFolder(job.id) + "/" + c.folder, base: job.model, job: job)
            }
        }
        return nil
    }

    /// The `Model` object of an id, if the server has it.
    func describe(_ id: String) -> Value? {
        switch entry(id) {
        case .base(let folder)?:
            let attrs = try? FileManager.default.attributesOfItem(atPath: folder + "/config.json")
            let created = (attrs?[.modificationDate] as? Date).map { Int($0.timeIntervalSince1970) } ?? 0
            return .record(["id": .string(id), "object": "model", "created": .int(created), "owned_by": .string(ServeNames.owner)])
        case .tuned(_, _, let job)?:
            return .record(["id": .string(id), "object": "model", "created": .int(job.finishedAt ?? job.createdAt),
                            "owned_by": .string(ServeNames.organization)])
        case nil:
            return nil
        }
    }

    /// Base models by name, then fine-tuned models oldest first.
    func list() -> [Value] {
        var ids = bases.keys.sorted()
        for job in store.allJobs().reversed() {
            if let m = job.fineTunedModel, !store.isDeleted(m), job.status == "succeeded" { ids.append(m) }
        }
        return ids.compactMap(describe)
    }

    func delete(_ id: String) throws(APIError) -> Value {
        switch entry(id) {
        case nil:
            throw APIError.notFound("The model '\(id)' does not exist", param: "model", code: "model_not_found")
        case .base?:
            throw APIError(403, "You have insufficient permissions for this operation: '\(id)' is a base model of this server.",
                           code: "insufficient_permissions")
        case .tuned(let folder, _, _)?:
            do { try store.markDeleted(id) } catch { throw APIError.server(error.message) }
            lock.lock(); cache.removeAll { $0.id == id }; lock.unlock()
            if !id.contains(":ckpt-step-") { try? FileManager.default.removeItem(atPath: folder) }
            return .record(["id": .string(id), "object": "model", "deleted": true])
        }
    }

    /// A base model, loaded fresh (training changes its copy's modules).
    func loadBase(_ name: String) throws -> LocalGPT {
        guard let folder = bases[name] else {
            throw APIError.invalid("Model \(name) is not available for fine-tuning on this server.", param: "model",
                                   code: "model_not_available")
        }
        let (model, tok, files) = try ModelFolders.hfFolder(folder, display: name)
        return LocalGPT(model: model, tokenizer: tok, tokenizerFiles: files, source: name, baseReference: name == "tiny" ? "tiny" : folder)
    }

    /// A model for generation: shared between requests, read-only.
    func load(_ id: String) throws -> LocalGPT {
        lock.lock()
        if let hit = cache.first(where: { $0.id == id }) { lock.unlock(); return hit.model }
        lock.unlock()
        let m: LocalGPT
        switch entry(id) {
        case nil:
            throw APIError.notFound("The model '\(id)' does not exist or you do not have access to it.", param: "model",
                                    code: "model_not_found")
        case .base?:
            m = try loadBase(id)
        case .tuned(let folder, let base, _)?:
            guard let baseFolder = bases[base] else {
                throw APIError.notFound("The base model '\(base)' of '\(id)' is no longer configured on this server.",
                                        param: "model", code: "model_not_found")
            }
            m = try ModelFolders.loadWeights(folder: folder, display: id, baseFolder: baseFolder, baseReference: base)
        }
        lock.lock()
        cache.removeAll { $0.id == id }
        cache.append((id, m))
        if cache.count > cacheSize { cache.removeFirst() }
        lock.unlock()
        return m
    }
}
