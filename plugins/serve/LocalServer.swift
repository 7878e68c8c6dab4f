import FTCore
import FTServe
import Foundation
import Synchronization

/// The `ftsh serve` running inside this shell process: at most one, started by `serve start`
/// and stopped by `serve stop` (or by the end of the process, which loses nothing a restart
/// would not: a job in training carries on from its last saved state at the next start).
final class LocalServer: @unchecked Sendable {
    let url: String
    let port: Int
    let dataDirectory: String
    let baseModels: [String]
    private let task: Task<Void, Never>
    private let failure: Failure

    private init(url: String, port: Int, dataDirectory: String, baseModels: [String], task: Task<Void, Never>, failure: Failure) {
        self.url = url
        self.port = port
        self.dataDirectory = dataDirectory
        self.baseModels = baseModels
        self.task = task
        self.failure = failure
    }

    private static let current = Mutex<LocalServer?>(nil)

    static var running: LocalServer? { current.withLock { $0 } }

    /// Why the server stopped on its own, if it did (the port was taken, the network failed).
    var stoppedBecause: String? { failure.reason }

    /// Starts the server and returns once it listens, or throws why it could not.
    static func start(options: ServeOptions) async throws(Diagnostic) -> LocalServer {
        if let s = running {
            throw .error("ftsh serve is already running in this session at \(s.url)", id: "serve.already-running",
                         notes: ["stop it first (serve stop)"])
        }
        let app = try ServeApp(options: options)
        let ready = Ready()
        let failure = Failure()
        let task = Task.detached {
            do {
                try await app.run { port in ready.resolve(.success(port)) }
            } catch {
                if !(error is CancellationError) { failure.reason = "\(error)" }
                ready.resolve(.failure(Diagnostic.error("ftsh serve could not listen on \(options.host):\(options.port): \(error)",
                                                        id: "serve.failed")))
            }
            // The server returned without an error before listening (nothing else stops it).
            ready.resolve(.failure(Diagnostic.error("ftsh serve stopped before it listened", id: "serve.failed")))
        }
        let port: Int
        switch await ready.value(timeout: 30) {
        case .success(let p): port = p
        case .failure(let d):
            task.cancel()
            _ = await task.value
            throw d
        }
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        let server = LocalServer(url: "http://\(host):\(port)/v1", port: port, dataDirectory: options.dataDirectory,
                                 baseModels: app.baseModels.keys.sorted(), task: task, failure: failure)
        current.withLock { $0 = server }
        // Leaving the shell stops it the same way: a training job saves its state, and no
        // thread is still training while the process exits.
        server.exitHook = EndOfProcess.register { [task] in
            let done = DispatchSemaphore(value: 0)
            Task.detached {
                task.cancel()
                _ = await task.value
                done.signal()
            }
            done.wait()
        }
        return server
    }

    private var exitHook: Int?

    /// Stops serving; a job in training saves its state first. Returns when it has stopped.
    func stop() async {
        task.cancel()
        _ = await task.value
        if let exitHook { EndOfProcess.unregister(exitHook) }
        LocalServer.current.withLock { if $0 === self { $0 = nil } }
    }
}

/// The first outcome of starting: the bound port, or why there is none.
private final class Ready: @unchecked Sendable {
    private let lock = NSCondition()
    private var outcome: Result<Int, Diagnostic>?

    func resolve(_ r: Result<Int, Diagnostic>) {
        lock.lock()
        if outcome == nil { outcome = r }
        lock.broadcast()
        lock.unlock()
    }

    func value(timeout: Double) async -> Result<Int, Diagnostic> {
        // The wait happens off the cooperative pool, which the server itself needs to start.
        await withCheckedContinuation { (c: CheckedContinuation<Result<Int, Diagnostic>, Never>) in
            Thread.detachNewThread {
                self.lock.lock()
                let deadline = Date().addingTimeInterval(timeout)
                while self.outcome == nil, self.lock.wait(until: deadline) {}
                let r = self.outcome ?? .failure(Diagnostic.error("ftsh serve did not start listening within \(Int(timeout)) s", id: "serve.failed"))
                self.lock.unlock()
                c.resume(returning: r)
            }
        }
    }
}

/// Why a started server stopped on its own; written by its task, read by `serve status`.
private final class Failure: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    var reason: String? {
        get { lock.lock(); defer { lock.unlock() }; return text }
        set { lock.lock(); text = newValue; lock.unlock() }
    }
}
