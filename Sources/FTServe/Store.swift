import FTCore
import Foundation

/// Everything the server knows, in memory and on disk under the data directory:
///
///     state.json                  id counter and salt, deleted model ids
///     files/ID.json, files/ID     an uploaded file's description and bytes
///     jobs/ID/job.json            a job (its public object plus the local method and progress)
///     jobs/ID/events.jsonl        its event log, oldest first, one event per line
///     jobs/ID/checkpoints.json    its checkpoints
///     jobs/ID/train/…             resumable training state, checkpoint and final weights
///
/// Every write is atomic, so a crash or a restart leaves each file whole, except the event log,
/// which only grows: it is appended to (a line torn by a crash is skipped when read back), so a
/// long job does not rewrite its whole log at every step. State changes go through one lock and
/// file writes through another, so two writers never save an older copy over a newer one.
final class Store: @unchecked Sendable {
    let root: String
    private let lock = NSLock()
    private let ioLock = NSLock()
    private var files: [String: FileRecord] = [:]
    private var jobs: [String: JobRecord] = [:]
    private var deletedModels: Set<String> = []
    private var salt: UInt64 = 0
    private var counter: UInt64 = 0
    private let clock: @Sendable () -> Int

    init(root: String, clock: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }, seed: UInt64? = nil) throws(Diagnostic) {
        self.root = root
        self.clock = clock
        let fm = FileManager.default
        for dir in [root, root + "/files", root + "/jobs"] {
            do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw .error("cannot create \(dir): \(error.localizedDescription)", id: "serve.data-dir")
            }
        }
        if let text = try? String(contentsOfFile: root + "/state.json", encoding: .utf8) {
            let v = try JSON.decode(text, file: root + "/state.json")
            guard v["format"]?.stringValue == "ftsh-serve" else {
                throw .error("\(root) is not an ftsh serve data directory (state.json has another format)", id: "serve.data-dir")
            }
            salt = UInt64(v["salt"]?.stringValue ?? "") ?? 0
            counter = UInt64(v["counter"]?.numberValue ?? 0)
            deletedModels = Set((v["deleted_models"]?.listValue ?? []).compactMap(\.stringValue))
        } else {
            // A salt from the clock keeps ids of two data directories apart; ids within one
            // come from its counter, so they never repeat.
            var seeded = SeededRandom(seed: seed ?? (UInt64(Date().timeIntervalSince1970 * 1000) ^ UInt64(getpid())))
            salt = seeded.next()
            try saveState()
        }
        for name in (try? fm.contentsOfDirectory(atPath: root + "/files")) ?? [] where name.hasSuffix(".json") {
            if let text = try? String(contentsOfFile: root + "/files/" + name, encoding: .utf8),
               let f = FileRecord(try JSON.decode(text, file: name)) { files[f.id] = f }
        }
        for name in (try? fm.contentsOfDirectory(atPath: root + "/jobs")) ?? [] {
            let dir = root + "/jobs/" + name
            guard let text = try? String(contentsOfFile: dir + "/job.json", encoding: .utf8),
                  var job = JobRecord(stored: try JSON.decode(text, file: dir + "/job.json")) else { continue }
            if let t = try? String(contentsOfFile: dir + "/events.jsonl", encoding: .utf8) {
                job.events = t.split(separator: "\n").compactMap { line in
                    (try? JSON.decode(String(line), file: dir + "/events.jsonl")).flatMap(JobEvent.init)
                }
            }
            if let t = try? String(contentsOfFile: dir + "/checkpoints.json", encoding: .utf8) {
                job.checkpoints = (try JSON.decode(t, file: dir + "/checkpoints.json").listValue ?? []).compactMap(JobCheckpoint.init)
            }
            jobs[job.id] = job
        }
    }

    var now: Int { clock() }

    private func saveState() throws(Diagnostic) {
        let v: Value = .record(["format": "ftsh-serve", "version": 1, "salt": .string(String(salt)), "counter": .number(Double(counter)),
                                "deleted_models": .list(deletedModels.sorted().map { .string($0) })])
        try AtomicFile.write(JSON.encode(v, indent: 2) + "\n", to: root + "/state.json", overwrite: true)
    }

    /// A new id such as `file-3kq9v0c2m1x7b8d4r6t5w2ya`: the counter mixed with the salt, so
    /// ids look like the API's and never repeat in one data directory.
    func newID(_ prefix: String, length: Int = 24) throws(Diagnostic) -> String {
        try numberedID(prefix, length: length).id
    }

    /// A new id and its place in the order ids were made (lists sort by it when two objects
    /// were made in the same second).
    func numberedID(_ prefix: String, length: Int = 24) throws(Diagnostic) -> (id: String, number: Int) {
        lock.lock(); defer { lock.unlock() }
        counter += 1
        try saveState()
        var rng = SeededRandom(seed: salt &+ counter &* 0x9E37_79B9_7F4A_7C15)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return (prefix + String((0..<length).map { _ in alphabet[rng.nextInt(below: alphabet.count)] }), Int(counter))
    }

    // MARK: files

    func filePath(_ id: String) -> String { root + "/files/" + id }

    func addFile(filename: String, purpose: String, data: Data) throws(Diagnostic) -> FileRecord {
        let (id, number) = try numberedID("file-")
        let f = FileRecord(id: id, bytes: data.count, createdAt: now, filename: filename, purpose: purpose, number: number)
        try AtomicFile.write(data, to: filePath(id), overwrite: true)
        try AtomicFile.write(JSON.encode(f.stored, indent: 2) + "\n", to: filePath(id) + ".json", overwrite: true)
        lock.lock(); files[id] = f; lock.unlock()
        return f
    }

    func file(_ id: String) -> FileRecord? { lock.lock(); defer { lock.unlock() }; return files[id] }

    /// Newest first (then by id, so equal times keep one order).
    func allFiles() -> [FileRecord] {
        lock.lock(); defer { lock.unlock() }
        return files.values.sorted { ($0.createdAt, $0.number) > ($1.createdAt, $1.number) }
    }

    func deleteFile(_ id: String) -> Bool {
        lock.lock()
        let existed = files.removeValue(forKey: id) != nil
        lock.unlock()
        if existed {
            try? FileManager.default.removeItem(atPath: filePath(id) + ".json")
            try? FileManager.default.removeItem(atPath: filePath(id))
        }
        return existed
    }

    // MARK: jobs

    func jobFolder(_ id: String) -> String { root + "/jobs/" + id }

    func addJob(_ job: JobRecord) throws(Diagnostic) {
        lock.lock(); jobs[job.id] = job; lock.unlock()
        try persist(job.id, events: true, checkpoints: true)
    }

    func job(_ id: String) -> JobRecord? { lock.lock(); defer { lock.unlock() }; return jobs[id] }

    /// Newest first.
    func allJobs() -> [JobRecord] {
        lock.lock(); defer { lock.unlock() }
        return jobs.values.sorted { ($0.createdAt, $0.number) > ($1.createdAt, $1.number) }
    }

    /// Changes a job and saves it; returns the job as changed (nil when there is no such job).
    @discardableResult
    func updateJob(_ id: String, _ change: (inout JobRecord) throws(APIError) -> Void) throws(APIError) -> JobRecord {
        lock.lock()
        guard var job = jobs[id] else { lock.unlock(); throw Routes.jobNotFound(id) }
        do throws(APIError) { try change(&job) } catch { lock.unlock(); throw error }
        jobs[id] = job
        lock.unlock()
        do { try persist(id, events: false, checkpoints: false) } catch { throw APIError.server(error.message) }
        return job
    }

    /// Adds an event to a job's log (and appends it to the log file). Event ids come from the
    /// job's id and the event's place in the log, so they need no counter on disk.
    func event(_ jobID: String, _ message: String, level: String = "info", data: Record? = nil) {
        ioLock.lock(); defer { ioLock.unlock() }
        lock.lock()
        guard let count = jobs[jobID]?.events.count else { lock.unlock(); return }
        var h: UInt64 = salt
        for b in jobID.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        var rng = SeededRandom(seed: h &+ UInt64(count + 1))
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let id = "ftevent-" + String((0..<24).map { _ in alphabet[rng.nextInt(below: alphabet.count)] })
        let e = JobEvent(id: id, createdAt: now, level: level, message: message, data: data)
        jobs[jobID]!.events.append(e)
        lock.unlock()
        let path = jobFolder(jobID) + "/events.jsonl"
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        if let h = FileHandle(forWritingAtPath: path) {
            _ = try? h.seekToEnd()
            try? h.write(contentsOf: Data((JSON.encode(e.value) + "\n").utf8))
            try? h.close()
        }
    }

    func addCheckpoint(_ jobID: String, _ c: JobCheckpoint, keep: Int) -> [JobCheckpoint] {
        lock.lock()
        jobs[jobID]?.checkpoints.append(c)
        var dropped: [JobCheckpoint] = []
        while let list = jobs[jobID]?.checkpoints, list.count > keep {
            dropped.append(list[0])
            jobs[jobID]!.checkpoints.removeFirst()
        }
        lock.unlock()
        try? persist(jobID, job: false, events: false, checkpoints: true)
        return dropped
    }

    private func persist(_ id: String, job: Bool = true, events: Bool, checkpoints: Bool) throws(Diagnostic) {
        ioLock.lock(); defer { ioLock.unlock() }
        lock.lock()
        guard let j = jobs[id] else { lock.unlock(); return }
        lock.unlock()
        let dir = jobFolder(id)
        if job { try AtomicFile.write(JSON.encode(j.stored, indent: 2) + "\n", to: dir + "/job.json", overwrite: true) }
        if events {
            let lines = j.events.map { JSON.encode($0.value) + "\n" }.joined()
            try AtomicFile.write(lines, to: dir + "/events.jsonl", overwrite: true)
        }
        if checkpoints {
            try AtomicFile.write(JSON.encode(.list(j.checkpoints.map(\.stored)), indent: 1) + "\n", to: dir + "/checkpoints.json",
                                 overwrite: true)
        }
    }

    // MARK: models

    func isDeleted(_ model: String) -> Bool { lock.lock(); defer { lock.unlock() }; return deletedModels.contains(model) }

    func markDeleted(_ model: String) throws(Diagnostic) {
        lock.lock(); deletedModels.insert(model); lock.unlock()
        lock.lock(); defer { lock.unlock() }
        try saveState()
    }
}
