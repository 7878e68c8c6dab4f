import FTCore
import Foundation
import Synchronization

/// Facts about the encodings ftsh knows by name, and where their rank files are found.
public enum EncodingCatalog {
    public struct Entry: Sendable {
        public let name: String
        public let pattern: PreTokenizer
        /// Ordinary tokens in the official rank file.
        public let rankCount: Int
        public let specialTokens: [String: Int]
        /// The sha256 tiktoken publishes for the rank file.
        public let sha256: String
    }

    public static let endOfText = "<|endoftext|>"
    public static let endOfPrompt = "<|endofprompt|>"

    public static let known: [String: Entry] = [
        "o200k_base": Entry(
            name: "o200k_base", pattern: .o200k, rankCount: 199_998,
            specialTokens: [endOfText: 199_999, endOfPrompt: 200_018],
            sha256: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"),
        "cl100k_base": Entry(
            name: "cl100k_base", pattern: .cl100k, rankCount: 100_256,
            specialTokens: [endOfText: 100_257, "<|fim_prefix|>": 100_258, "<|fim_middle|>": 100_259,
                            "<|fim_suffix|>": 100_260, endOfPrompt: 100_276],
            sha256: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"),
    ]

    /// Where rank files are looked for, in order: `$FTSH_ENCODINGS_DIR`, the `share/ftsh/encodings`
    /// folder beside the installed binary, then `~/.cache/ftsh/encodings` (XDG cache).
    public static func searchPaths(environment env: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var paths: [String] = []
        if let dir = env["FTSH_ENCODINGS_DIR"], !dir.isEmpty { paths.append(dir) }
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let prefix = exe.deletingLastPathComponent().deletingLastPathComponent()
            paths.append(prefix.appendingPathComponent("share/ftsh/encodings").path)
        }
        paths.append(Paths(environment: env).cache + "/encodings")
        return paths
    }

    /// The first `<name>.tiktoken` in the search paths, or a diagnostic that lists where it looked.
    public static func locate(_ name: String, in paths: [String]) throws(Diagnostic) -> String {
        let fm = FileManager.default
        for dir in paths {
            let candidate = dir + "/" + name + ".tiktoken"
            if fm.isReadableFile(atPath: candidate) { return candidate }
        }
        throw .error("encoding \(name) not found: no \(name).tiktoken in " + paths.joined(separator: ", "),
                     id: "tokenizer.missing-encoding",
                     notes: ["run scripts/fetch-encodings to install the rank files into ~/.cache/ftsh/encodings,",
                             "or set FTSH_ENCODINGS_DIR to a folder holding \(name).tiktoken"])
    }

    private static let cache = Mutex<[String: Encoding]>([:])

    static func load(named name: String, searchPaths: [String]?) throws(Diagnostic) -> Encoding {
        guard let entry = known[name] else {
            throw .error("unknown encoding \(name)", id: "tokenizer.unknown-encoding",
                         notes: ["known encodings: " + known.keys.sorted().joined(separator: ", ")])
        }
        let result: Result<Encoding, Diagnostic> = cache.withLock { loaded in
            if let e = loaded[name] { return .success(e) }
            do throws(Diagnostic) {
                let path = try locate(name, in: searchPaths ?? self.searchPaths())
                let e = try Encoding(name: name, ranksFile: path, pattern: entry.pattern)
                loaded[name] = e
                return .success(e)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The encoding a model's tokenizer uses, or nil for models ftsh cannot count for.
    /// Fine-tuned names (`ft:gpt-4o-mini-2024-07-18:org::id`) resolve through their base model.
    public static func encodingName(forModel model: String) -> String? {
        var base = Substring(model.trimmingCharacters(in: .whitespaces).lowercased())
        if base.hasPrefix("ft:") {
            base = base.dropFirst(3)
            if let colon = base.firstIndex(of: ":") { base = base[..<colon] }
        }
        func family(_ stem: String) -> Bool { base == stem || base.hasPrefix(stem + "-") }
        // gpt-4o, 4.1, 4.5, 5 and the o-series use o200k_base; gpt-oss uses o200k_harmony, whose
        // ordinary tokens are o200k_base's.
        for stem in ["gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4-mini", "gpt-oss"]
            where family(stem) { return "o200k_base" }
        if base.hasPrefix("gpt-5") { return "o200k_base" }  // gpt-5.1, gpt-5.2 …
        for stem in ["gpt-4", "gpt-3.5-turbo", "gpt-3.5", "gpt-35-turbo", "davinci-002", "babbage-002",
                     "text-embedding-ada-002", "text-embedding-3-small", "text-embedding-3-large"]
            where family(stem) { return "cl100k_base" }
        return nil
    }
}

extension Encoding {
    /// Loads a known encoding by name from the search paths; loaded once per process.
    public static func load(named name: String, searchPaths: [String]? = nil) throws(Diagnostic) -> Encoding {
        try EncodingCatalog.load(named: name, searchPaths: searchPaths)
    }

    /// `"ft:gpt-4o-mini-2024-07-18:org::id"` → `"o200k_base"`; nil for unknown models.
    public static func forModel(_ model: String) -> String? {
        EncodingCatalog.encodingName(forModel: model)
    }

    public static var searchPaths: [String] { EncodingCatalog.searchPaths() }

    /// The encoding of a model's tokenizer, loaded; a clear error for models ftsh cannot count for.
    public static func load(model: String, searchPaths: [String]? = nil) throws(Diagnostic) -> Encoding {
        guard let name = forModel(model) else {
            throw .error("no known tokenizer for model \(model)", id: "tokenizer.unknown-model",
                         notes: ["gpt-4o, gpt-4.1, gpt-5 and o-series models use o200k_base; gpt-4, gpt-3.5-turbo, "
                                 + "babbage-002 and davinci-002 use cl100k_base"])
        }
        return try load(named: name, searchPaths: searchPaths)
    }

    /// The id of a special token such as `<|endoftext|>`, if this encoding has it.
    public func specialTokenID(_ text: String) -> Int? { specialTokens[text] }
}
