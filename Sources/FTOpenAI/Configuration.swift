import Foundation
import FTCore

/// Where and how to reach the fine-tuning API. Read from the environment the way the official
/// SDK reads it, so a shell already set up for `openai` works unchanged.
public struct OpenAIConfiguration: Sendable {
    public enum Flavor: Sendable, Equatable {
        /// OpenAI or any server speaking its API: `Authorization: Bearer KEY`, paths under the base URL.
        case openai
        /// Azure OpenAI: an `api-key` header, `api-version` on every query, paths under
        /// `<endpoint>/openai`, chat under `deployments/<name>`.
        case azure(apiVersion: String)
    }

    public static let defaultBaseURL = "https://api.openai.com/v1"

    public var apiKey: String
    public var baseURL: URL
    public var organization: String?
    public var project: String?
    public var flavor: Flavor
    /// Extra headers (`OPENAI_CUSTOM_HEADERS`, lines of `Name: value`).
    public var customHeaders: [(name: String, value: String)]
    /// Retries after the first attempt.
    public var maxRetries: Int
    /// Seconds without progress before a request is abandoned (retried as a timeout).
    public var timeout: Double
    public var connectTimeout: Double

    public init(apiKey: String, baseURL: URL = URL(string: defaultBaseURL)!, organization: String? = nil,
                project: String? = nil, flavor: Flavor = .openai, customHeaders: [(name: String, value: String)] = [],
                maxRetries: Int = 2, timeout: Double = 600, connectTimeout: Double = 5) {
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.organization = organization
        self.project = project
        self.flavor = flavor
        self.customHeaders = customHeaders
        self.maxRetries = maxRetries
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// The environment a shell session's requests are configured from: `baseURL` (the
    /// session's `set openai_base_url`) replaces OPENAI_BASE_URL, and a server on this machine
    /// (`serve start`, a local model server) gets the key "local" when none is set, since such
    /// servers take any key; a remote one still needs the real key.
    public static func sessionEnvironment(_ environment: [String: String], baseURL: String?) -> [String: String] {
        var env = environment
        if let baseURL { env["OPENAI_BASE_URL"] = baseURL }
        if (env["OPENAI_API_KEY"] ?? "").isEmpty, env["OPENAI_API_TYPE"]?.lowercased() != "azure",
           let base = env["OPENAI_BASE_URL"], let host = URLComponents(string: base)?.host,
           ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased()) {
            env["OPENAI_API_KEY"] = "local"
        }
        return env
    }

    /// `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`,
    /// `OPENAI_CUSTOM_HEADERS`; Azure when `OPENAI_API_TYPE=azure`, or when
    /// `AZURE_OPENAI_ENDPOINT` is set and `OPENAI_BASE_URL` is not (then `AZURE_OPENAI_API_KEY`
    /// and `OPENAI_API_VERSION`). ftsh's own knobs: `FTSH_OPENAI_MAX_RETRIES`,
    /// `FTSH_OPENAI_TIMEOUT` (seconds).
    public static func fromEnvironment(_ env: [String: String]) throws(Diagnostic) -> OpenAIConfiguration {
        func value(_ name: String) -> String? {
            guard let v = env[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        let azureEndpoint = value("AZURE_OPENAI_ENDPOINT")
        let isAzure = value("OPENAI_API_TYPE")?.lowercased() == "azure" || (azureEndpoint != nil && value("OPENAI_BASE_URL") == nil)
        var config: OpenAIConfiguration
        if isAzure {
            guard let endpoint = azureEndpoint ?? value("OPENAI_BASE_URL") else {
                throw .error("Azure mode needs AZURE_OPENAI_ENDPOINT (https://RESOURCE.openai.azure.com)", id: "openai.no-base-url")
            }
            guard let key = value("AZURE_OPENAI_API_KEY") ?? value("OPENAI_API_KEY") else {
                throw .error("no API key: set AZURE_OPENAI_API_KEY to your Azure OpenAI resource key", id: "openai.no-key")
            }
            var base = endpoint
            while base.hasSuffix("/") { base.removeLast() }
            if !base.hasSuffix("/openai") { base += "/openai" }
            let url = try parseURL(base, variable: "AZURE_OPENAI_ENDPOINT")
            config = OpenAIConfiguration(apiKey: key, baseURL: url,
                                         flavor: .azure(apiVersion: value("OPENAI_API_VERSION") ?? "2025-04-01-preview"))
        } else {
            guard let key = value("OPENAI_API_KEY") ?? value("OPENAI_ADMIN_KEY") else {
                throw .error("no API key: set OPENAI_API_KEY (a local server takes any value, e.g. OPENAI_API_KEY=local)",
                             id: "openai.no-key")
            }
            var base = value("OPENAI_BASE_URL") ?? defaultBaseURL
            while base.hasSuffix("/") { base.removeLast() }
            config = OpenAIConfiguration(apiKey: key, baseURL: try parseURL(base, variable: "OPENAI_BASE_URL"))
            config.organization = value("OPENAI_ORG_ID")
            config.project = value("OPENAI_PROJECT_ID")
        }
        if let lines = env["OPENAI_CUSTOM_HEADERS"] {
            for line in lines.split(whereSeparator: \.isNewline) {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                let v = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if !name.isEmpty { config.customHeaders.append((name, v)) }
            }
        }
        if let n = value("FTSH_OPENAI_MAX_RETRIES") {
            guard let k = Int(n), k >= 0, k <= 10 else {
                throw .error("FTSH_OPENAI_MAX_RETRIES must be an integer 0–10, got '\(n)'", id: "openai.bad-config")
            }
            config.maxRetries = k
        }
        if let t = value("FTSH_OPENAI_TIMEOUT") {
            guard let s = Double(t), s > 0 else {
                throw .error("FTSH_OPENAI_TIMEOUT must be a positive number of seconds, got '\(t)'", id: "openai.bad-config")
            }
            config.timeout = s
        }
        return config
    }

    static func parseURL(_ text: String, variable: String) throws(Diagnostic) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw .error("\(variable) is not an http(s) URL: '\(Secrets.redact(text))'; expected e.g. https://api.openai.com/v1",
                         id: "openai.bad-base-url")
        }
        return url
    }

    /// The URL of an API path given as segments (`["fine_tuning", "jobs", id]`), each
    /// percent-encoded on its own so an id can never change the path; Azure adds `api-version`.
    public func url(_ segments: [String], query: [(String, String)] = []) -> URL {
        var q = query
        if case .azure(let version) = flavor { q.append(("api-version", version)) }
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        components.percentEncodedPath = components.percentEncodedPath + segments.map { "/" + Self.encodeSegment($0) }.joined()
        if !q.isEmpty {
            components.percentEncodedQuery = q.map { Self.encodeQuery($0.0) + "=" + Self.encodeQuery($0.1) }.joined(separator: "&")
        }
        return components.url!
    }

    /// The headers every request carries.
    public func headers() -> [(name: String, value: String)] {
        var h: [(String, String)] = []
        switch flavor {
        case .openai: h.append(("Authorization", "Bearer \(apiKey)"))
        case .azure: h.append(("api-key", apiKey))
        }
        h.append(("Accept", "application/json"))
        h.append(("User-Agent", "ftsh/1 (OpenAI-compatible client)"))
        if let organization { h.append(("OpenAI-Organization", organization)) }
        if let project { h.append(("OpenAI-Project", project)) }
        return h + customHeaders
    }

    static let asciiAlphanumerics = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    static let pathAllowed: CharacterSet = {
        var s = asciiAlphanumerics
        s.insert(charactersIn: "-._~:@")
        return s
    }()
    static let queryAllowed: CharacterSet = {
        var s = asciiAlphanumerics
        s.insert(charactersIn: "-._~")
        return s
    }()

    static func encodeSegment(_ p: String) -> String { p.addingPercentEncoding(withAllowedCharacters: pathAllowed) ?? p }
    static func encodeQuery(_ p: String) -> String { p.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? p }
}
