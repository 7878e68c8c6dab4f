import FTCore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// `ftsh serve`: the OpenAI fine-tuning API (files, fine-tuning jobs, models, chat
/// completions) on this machine, answered by ftsh's own engine.
public final class ServeApp: @unchecked Sendable {
    public let options: ServeOptions
    let store: Store
    let catalog: ModelCatalog
    let runner: JobRunner
    let chat: ChatService
    private let lockFD: Int32
    private let released = Locked(false)

    public init(options: ServeOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Diagnostic) {
        self.options = options
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: options.dataDirectory, withIntermediateDirectories: true) } catch {
            throw .error("cannot create \(options.dataDirectory): \(error.localizedDescription)", id: "serve.data-dir")
        }
        // Two servers over one data directory would overwrite each other's jobs.
        lockFD = open(options.dataDirectory + "/serve.lock", O_CREAT | O_RDWR, 0o644)
        guard lockFD >= 0, flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            if lockFD >= 0 { close(lockFD) }
            throw .error("another ftsh serve is using \(options.dataDirectory)", id: "serve.data-dir-in-use",
                         notes: ["stop it, or give this one another --data-dir"])
        }
        let bases = ServeOptions.resolvedBases(options.baseModels, environment: environment)
        for (name, folder) in bases where !fm.fileExists(atPath: folder + "/config.json") {
            close(lockFD)
            throw .error("base model \(name): \(folder) is not an HF GPT-2 folder (no config.json)", id: "serve.bad-model")
        }
        do {
            store = try Store(root: options.dataDirectory, clock: options.clock, seed: options.seed)
        } catch {
            close(lockFD)
            throw error
        }
        catalog = ModelCatalog(bases: bases, store: store)
        runner = JobRunner(store: store, catalog: catalog)
        chat = ChatService(catalog: catalog, store: store, options: options)
    }

    deinit { releaseLock() }

    /// Lets another server use the data directory (once this one has stopped).
    private func releaseLock() {
        guard !released.get() else { return }
        released.set(true)
        close(lockFD)
    }

    /// The base models offered, by name.
    public var baseModels: [String: String] { catalog.bases }

    /// Serves until the task is cancelled (or, with `handleSignals`, until SIGINT or SIGTERM).
    /// `onReady` gets the bound port once the server listens. A job that is training when the
    /// server stops saves its state and carries on at the next start.
    public func run(handleSignals: Bool = false, onReady: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        runner.start()
        defer {
            runner.stop()
            releaseLock()
        }
        let routes = Routes(options: options, store: store, catalog: catalog, runner: runner, chat: chat)
        var logger = Logger(label: "ftsh-serve")
        // Cancelling the task (tests) makes the HTTP layer log its cancellation; signals do not.
        logger.logLevel = handleSignals ? .error : .critical
        let port = options.port
        let app = Application(router: routes.router(),
                              configuration: .init(address: .hostname(options.host, port: options.port), serverName: "ftsh"),
                              onServerRunning: { channel in onReady(channel.localAddress?.port ?? port) },
                              logger: logger)
        if handleSignals {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } else {
            try await app.run()
        }
    }
}
