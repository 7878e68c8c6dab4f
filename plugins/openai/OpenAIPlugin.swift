import FTOpenAI
import FTPluginKit

/// The job API plugin: files, fine-tuning jobs, events, checkpoints, models and chat on
/// OpenAI, Azure OpenAI or any server speaking the same API.
///
/// Configuration comes from the environment as the official SDK reads it: OPENAI_API_KEY,
/// OPENAI_BASE_URL (e.g. http://127.0.0.1:8080/v1 for a local server), OPENAI_ORG_ID,
/// OPENAI_PROJECT_ID; Azure with AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and
/// OPENAI_API_VERSION. `set openai_base_url = URL` overrides the base URL for a session.
public enum OpenAIPlugin {
    public static func plugin() -> Plugin {
        Plugin(name: "openai",
               summary: "Hosted fine-tuning: upload files, run and watch jobs, use the models (OpenAI-compatible servers).",
               commands: FileCommands.all + JobCommands.all + JobWatch.all + OpenAICommands.all)
    }
}

/// The session's client for other plugins (`eval run` on a hosted model, `eval curve` on a
/// job): the configuration, cassette and session id the job commands use, so whatever they
/// created is found, and recorded or replayed, alike.
public enum OpenAISession {
    public static func client(_ ctx: CommandContext) throws -> OpenAIClient {
        try ClientFactory.client(ctx)
    }
}
