import FTCore
import FTOpenAI
import FTPluginKit
import Foundation
import Synchronization

/// What the openai commands keep between commands of one session: the network transport
/// (it remembers which hosts answered) and the cassette being recorded or replayed.
final class OpenAISessionState: @unchecked Sendable {
    var network: URLSessionTransport?
    var cassette: CassetteTransport?
    /// Set by `FTSH_OPENAI_CASSETTE` once, at the session's first openai command.
    var environmentChecked = false
    /// Sent as `X-Ftsh-Session` so servers that keep state per client session (ftsh's test
    /// server) can tell sessions apart; random, and says nothing about the user.
    let sessionID = UUID().uuidString.lowercased()

    private static let states = Mutex<[ObjectIdentifier: (owner: Weak, state: OpenAISessionState)]>([:])

    final class Weak: @unchecked Sendable {
        weak var object: AnyObject?
        init(_ o: AnyObject) { object = o }
    }

    /// The state of the session behind `ctx`, made on first use.
    static func of(_ ctx: CommandContext) -> OpenAISessionState {
        let key = ObjectIdentifier(ctx)
        return states.withLock { table in
            if let entry = table[key], entry.owner.object === ctx { return entry.state }
            // Sessions that ended leave entries behind; sweep them while here.
            table = table.filter { $0.value.owner.object != nil }
            let state = OpenAISessionState()
            table[key] = (Weak(ctx), state)
            return state
        }
    }
}

/// Builds the client a command uses, from the environment, session variables and cassette.
enum ClientFactory {
    /// The environment with the session's overrides: `set openai_base_url = URL`.
    static func environment(_ ctx: CommandContext) -> [String: String] {
        OpenAIConfiguration.sessionEnvironment(ctx.environment, baseURL: ctx.variable("openai_base_url")?.stringValue)
    }

    /// The cassette the environment names (`FTSH_OPENAI_CASSETTE`), or in a checked script the
    /// one recorded beside it; opened once per session, before the first request.
    static func openDefaultCassette(_ ctx: CommandContext) throws {
        let state = OpenAISessionState.of(ctx)
        let env = environment(ctx)
        if !state.environmentChecked {
            state.environmentChecked = true
            if let file = env["FTSH_OPENAI_CASSETTE"], !file.isEmpty, state.cassette == nil {
                _ = try CassetteCommand.open(ctx.resolve(file), shownAs: file, mode: "auto", ctx: ctx)
            } else if ctx.isCheckMode, state.cassette == nil, let script = ctx.scriptPath {
                // A checked script replays the cassette recorded beside it, offline.
                let cassette = (script.hasSuffix(".ftsh") ? String(script.dropLast(5)) : script) + ".cassette.jsonl"
                if FileManager.default.fileExists(atPath: cassette) {
                    _ = try CassetteCommand.open(cassette, shownAs: URL(fileURLWithPath: cassette).lastPathComponent, mode: "replay", ctx: ctx)
                }
            }
        }
    }

    static func client(_ ctx: CommandContext, inv: Invocation? = nil) throws -> OpenAIClient {
        let state = OpenAISessionState.of(ctx)
        let env = environment(ctx)
        try openDefaultCassette(ctx)
        let notify: @Sendable (ClientNotice) -> Void = { [weak ctx] notice in
            guard let ctx else { return }
            switch notice {
            case .retrying(let method, let path, let reason, let retry, let of, let delay):
                ctx.report(Diagnostic(.note, "retrying \(method) \(path) after \(reason) (retry \(retry) of \(of), in \(String(format: "%.2f", delay)) s)",
                                      id: "openai.retry"))
            case .recovered(let id):
                ctx.report(Diagnostic(.note, "the first attempt had created \(id); using it (no duplicate job)", id: "openai.retry"))
            }
        }
        if let cassette = state.cassette, cassette.mode == .replay {
            // Offline: no key is needed and waits between retries are skipped.
            var config = (try? OpenAIConfiguration.fromEnvironment(env))
                ?? OpenAIConfiguration(apiKey: "replay", baseURL: URL(string: OpenAIConfiguration.defaultBaseURL)!)
            config.apiKey = "replay"
            return OpenAIClient(configuration: config, transport: cassette, random: ctx.makeRandom(),
                                sleep: { (_: Double) async throws(TransportError) -> Void in }, notify: notify)
        }
        var config = try OpenAIConfiguration.fromEnvironment(env)
        config.customHeaders.append(("X-Ftsh-Session", state.sessionID))
        if state.network == nil || state.network!.connectTimeout != config.connectTimeout || state.network!.timeout != config.timeout {
            state.network = URLSessionTransport(connectTimeout: config.connectTimeout, timeout: config.timeout, environment: env)
        }
        let transport: any Transport = state.cassette ?? state.network!
        return OpenAIClient(configuration: config, transport: transport, random: ctx.makeRandom(), notify: notify)
    }

    /// Runs a client call and turns its errors into located diagnostics.
    static func call<T>(_ inv: Invocation, at argument: String? = nil,
                        _ body: () async throws(OpenAIError) -> T) async throws -> T {
        do { return try await body() } catch {
            if case .transport(.cancelled, _, _) = error { throw Interrupted("request cancelled") }
            let d = error.diagnostic
            if let argument, error.status == 404 {
                throw inv.error(d.message, id: d.id, at: argument, notes: d.notes)
            }
            throw d.located(inv.location)
        }
    }
}
