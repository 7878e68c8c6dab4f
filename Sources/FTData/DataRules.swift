import FTCore

/// One check `data check` makes: a stable id (scripts and docs refer to it), the severity its
/// findings carry, what it means, how to fix it, and whether `data fix` can fix it without
/// changing what the model learns. `share/docs/data-findings.md` is this table in prose; a test
/// keeps the two in step.
public struct DataRule: Sendable, Hashable {
    public let id: String
    public let severity: Diagnostic.Severity
    public let summary: String
    public let fix: String
    /// `data check --fix` applies it.
    public let autoFix: Bool
    /// Reported once for the file with a count, not once per line (a file saved with CRLF
    /// endings has a million of them; one finding says it better).
    public let aggregated: Bool

    init(_ id: String, _ severity: Diagnostic.Severity, _ summary: String, fix: String,
         autoFix: Bool = false, aggregated: Bool = false) {
        self.id = id
        self.severity = severity
        self.summary = summary
        self.fix = fix
        self.autoFix = autoFix
        self.aggregated = aggregated
    }
}

public enum DataRules {
    public static let all: [DataRule] = [
        // The file itself.
        DataRule("data.missing-file", .error, "the path does not exist", fix: "check the path; relative paths start at the shell's working directory (`pwd`)"),
        DataRule("data.is-directory", .error, "the path is a directory", fix: "name a .jsonl, .csv or .tsv file inside it"),
        DataRule("data.unreadable", .error, "the file cannot be read (permissions, I/O error)", fix: "check the file's permissions"),
        DataRule("data.empty-file", .error, "the file holds no examples", fix: "add examples, one JSON object per line"),
        DataRule("data.file-too-large", .error, "the file is over the 512 MB upload limit", fix: "split it (`data split`) or filter long examples out"),
        DataRule("data.bom", .error, "the file starts with a UTF-8 byte order mark, which JSON parsers reject", fix: "remove the first three bytes (EF BB BF); `data fix` does it", autoFix: true),
        DataRule("data.crlf", .warning, "lines end with CR LF (Windows line endings)", fix: "convert to LF; `data fix` does it", autoFix: true, aggregated: true),
        DataRule("data.blank-line", .warning, "an empty or whitespace-only line", fix: "delete the line; `data fix` does it", autoFix: true),
        DataRule("data.invalid-utf8", .error, "bytes that are not valid UTF-8", fix: "re-save the file as UTF-8 (e.g. `iconv -f cp949 -t utf-8`)"),
        DataRule("data.json-array", .error, "the file is one JSON array, not JSON Lines", fix: "write one object per line; `data fix` converts the array", autoFix: true),
        DataRule("data.line-too-long", .error, "a line longer than the reader's limit (64 MiB by default)", fix: "check for a missing line break; split very large examples"),
        DataRule("data.invalid-json", .error, "the line is not valid JSON", fix: "fix the JSON at the column shown (quotes, commas, brackets)"),
        DataRule("data.invalid-csv", .error, "a CSV/TSV row with an unterminated quote or the wrong number of fields", fix: "quote fields that contain the delimiter, quotes (doubled) or line breaks"),
        DataRule("data.duplicate-key", .error, "an object repeats a key; which one wins is undefined", fix: "keep one of the two keys"),
        DataRule("data.not-object", .error, "the line is valid JSON but not an object", fix: "wrap the example in an object such as {\"messages\": [...]}"),
        DataRule("data.unknown-format", .error, "the object has none of the keys of a known format (messages; input/preferred_output; prompt/completion)", fix: "use the chat format {\"messages\": [...]}"),
        DataRule("data.mixed-formats", .error, "the line's format differs from the file's first example", fix: "keep one format per file; `data convert` changes formats"),
        DataRule("data.unknown-key", .warning, "a top-level key the format does not define", fix: "remove the key; it is not used for training"),
        // Chat examples.
        DataRule("data.missing-messages", .error, "\"messages\" is missing, not an array, or empty", fix: "give each example a non-empty \"messages\" array"),
        DataRule("data.bad-message", .error, "a message is not an object", fix: "write each message as {\"role\": ..., \"content\": ...}"),
        DataRule("data.missing-role", .error, "a message has no \"role\"", fix: "add \"role\": one of system, user, assistant, tool, function"),
        DataRule("data.unknown-role", .error, "a role other than system, user, assistant, tool, function", fix: "use one of the five roles (\"developer\" messages are written as \"system\" for fine-tuning)"),
        DataRule("data.unknown-message-key", .error, "a message key other than role, content, name, weight, tool_calls, tool_call_id, function_call, refusal", fix: "remove or rename the key"),
        DataRule("data.missing-content", .error, "a message has no content (or empty content) and no tool or function call", fix: "add the message's text as \"content\""),
        DataRule("data.bad-content", .error, "content is not a string or a valid array of content parts", fix: "make \"content\" a string; numbers and objects must be quoted text"),
        DataRule("data.bad-type", .error, "a field holds the wrong JSON type (e.g. a number where a string belongs)", fix: "give the field the type shown in the message"),
        DataRule("data.bad-weight", .error, "\"weight\" is not 0 or 1, or is on a message other than an assistant's", fix: "use \"weight\": 0 or 1, on assistant messages only"),
        DataRule("data.no-assistant", .error, "the example has no assistant message to learn from", fix: "add the reply as {\"role\": \"assistant\", \"content\": ...}"),
        DataRule("data.no-trained-tokens", .warning, "every assistant message has weight 0, so nothing is learned from the example", fix: "set weight 1 on at least one assistant message, or drop the example"),
        DataRule("data.bad-tool-call", .error, "a malformed tool_calls/function_call, or a tool message without tool_call_id", fix: "follow the shape {\"id\", \"type\": \"function\", \"function\": {\"name\", \"arguments\": \"<JSON text>\"}}"),
        DataRule("data.bad-tools", .error, "the \"tools\" or \"functions\" list is malformed", fix: "declare tools as {\"type\": \"function\", \"function\": {\"name\": ..., \"parameters\": {...}}}"),
        DataRule("data.reserved-token", .error, "text contains a special token such as <|endoftext|>; jobs fail on it", fix: "remove or reword the special-token text"),
        DataRule("data.no-system", .warning, "examples without a system message", fix: "add the same system message you will use in production", aggregated: true),
        DataRule("data.no-user", .warning, "examples without a user message", fix: "add the user turn the reply answers", aggregated: true),
        DataRule("data.trailing-messages", .warning, "messages after the last assistant message teach nothing", fix: "end each example with the assistant's reply"),
        DataRule("data.whitespace", .warning, "content begins or ends with spaces or blank lines", fix: "trim it; `data fix` does it", autoFix: true, aggregated: true),
        // Preference (DPO) examples.
        DataRule("data.missing-input", .error, "a preference example without an \"input\" object holding \"messages\"", fix: "write {\"input\": {\"messages\": [...]}, \"preferred_output\": [...], \"non_preferred_output\": [...]}"),
        DataRule("data.bad-output", .error, "preferred_output or non_preferred_output is missing or not a list of one assistant message", fix: "give each a list holding exactly one assistant message"),
        DataRule("data.identical-outputs", .warning, "the preferred and non-preferred outputs are the same", fix: "make the two outputs differ, or drop the example"),
        DataRule("data.legacy-preference-keys", .warning, "preferred_completion/non_preferred_completion are older names", fix: "rename them to preferred_output/non_preferred_output; `data fix` does it", autoFix: true),
        // Prompt/completion examples (and the legacy prepare_data advice).
        DataRule("data.missing-prompt", .error, "\"prompt\" is missing or not a string", fix: "add \"prompt\" as a string"),
        DataRule("data.missing-completion", .error, "\"completion\" is missing, not a string, or empty", fix: "add the expected output as \"completion\""),
        DataRule("data.prompt-separator", .warning, "prompts do not end with one common separator", fix: "end every prompt with the same separator (the message suggests one)", aggregated: true),
        DataRule("data.completion-ending", .warning, "completions do not end with one common stop sequence", fix: "end every completion with the same stop sequence (the message suggests one)", aggregated: true),
        DataRule("data.leading-space", .warning, "completions do not start with a space", fix: "start each completion with one space", aggregated: true),
        DataRule("data.uppercase", .warning, "more than a third of the letters are upper case", fix: "consider lower-casing prompts or completions", aggregated: true),
        DataRule("data.common-prefix", .note, "every prompt (or completion) starts with the same long text", fix: "consider removing the shared prefix", aggregated: true),
        DataRule("data.long-example", .warning, "an example over 10,000 characters (legacy advice for completion models)", fix: "shorten it or drop it"),
        // The dataset as a whole.
        DataRule("data.too-few-examples", .error, "fewer than 10 examples; jobs are refused", fix: "add examples; 50-100 is a good start"),
        DataRule("data.small-dataset", .note, "fewer than 50 examples", fix: "OpenAI suggests starting with 50 well-made examples"),
        DataRule("data.duplicate", .warning, "an example identical to an earlier one", fix: "drop it; `data fix` and `data dedupe` do it", autoFix: true),
        DataRule("data.near-duplicate", .note, "an example equal to an earlier one after lower-casing and collapsing spaces", fix: "`data dedupe --normalized` drops them"),
        DataRule("data.too-long", .warning, "an example over the model's per-example token limit; it will be truncated", fix: "shorten it or drop it (`data filter --max-tokens N`)"),
        DataRule("data.unknown-model", .warning, "the model is not in the price and limit table", fix: "use a model from `data cost --models`, or add it to ~/.config/ftsh/prices.json"),
    ]

    private static let byId: [String: DataRule] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    public static func rule(_ id: String) -> DataRule? { byId[id] }

    /// A finding of rule `id`. The severity comes from the table, so it cannot drift per call site.
    static func finding(_ id: String, _ message: String, at location: SourceLocation?,
                        length: Int = 0, notes: [String] = []) -> Diagnostic {
        let severity = byId[id]?.severity ?? .error
        return Diagnostic(severity, message, id: id, at: location, length: length, notes: notes)
    }
}
