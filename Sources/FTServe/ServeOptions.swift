import FTCore
import Foundation

/// How `ftsh serve` runs: where it listens, who may call it, where it keeps its state, which
/// base models it offers and how large a request may be.
public struct ServeOptions: Sendable {
    /// The address to bind. Loopback by default: the API trains and runs models on this machine,
    /// and is reachable from elsewhere only when asked for by name (`--host 0.0.0.0`).
    public var host: String
    /// 0 picks a free port (tests); the bound port is reported through `onReady`.
    public var port: Int
    /// When set, every request must carry `Authorization: Bearer TOKEN`.
    public var token: String?
    /// Files, jobs, checkpoints and fine-tuned models live here and survive a restart.
    public var dataDirectory: String
    /// Base models offered for fine-tuning and chat, by the name a request gives in `model`:
    /// `tiny` (the bundled model) plus any `NAME=FOLDER` given with `--model`.
    public var baseModels: [String: String]
    /// Largest upload (`POST /files`), in bytes.
    public var maxUploadBytes: Int
    /// Largest JSON request body, in bytes.
    public var maxJSONBytes: Int
    /// Greatest `max_completion_tokens` a chat request may ask for.
    public var maxCompletionTokens: Int
    /// Seconds since 1970 for `created_at` and event times. A checked script serves with its
    /// frozen session clock, so what it prints is the same on every run.
    public var clock: @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }
    /// Seeds the id salt of a new data directory and the chat seeds of requests without one;
    /// nil takes them from the wall clock. A checked script passes its session seed.
    public var seed: UInt64?

    public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, dataDirectory: String,
                baseModels: [String: String] = [:], maxUploadBytes: Int = 256 << 20, maxJSONBytes: Int = 4 << 20,
                maxCompletionTokens: Int = 512) {
        self.host = host
        self.port = port
        self.token = token
        self.dataDirectory = dataDirectory
        self.baseModels = baseModels
        self.maxUploadBytes = maxUploadBytes
        self.maxJSONBytes = maxJSONBytes
        self.maxCompletionTokens = maxCompletionTokens
    }

    /// `~/.local/state/ftsh/serve` (or under `$XDG_STATE_HOME`).
    public static func defaultDataDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        Paths(environment: environment).state + "/serve"
    }

    /// The base models: the bundled `tiny` when installed, then the configured ones (which may
    /// replace it).
    static func resolvedBases(_ configured: [String: String], environment: [String: String]) -> [String: String] {
        var out: [String: String] = [:]
        if let dir = Paths.shareFile("models/tiny", environment: environment),
           FileManager.default.fileExists(atPath: dir + "/config.json") {
            out["tiny"] = dir
        }
        for (k, v) in configured { out[k] = v }
        return out
    }
}
