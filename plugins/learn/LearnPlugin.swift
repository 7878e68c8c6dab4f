import Foundation
import FTCore
import FTPluginKit

/// `learn`: the course, in English and Korean, as lessons that run in this session.
public enum LearnPlugin {
    public static func plugin() -> Plugin {
        Plugin(name: "learn", summary: "The fine-tuning course: lessons that run, step by step.", commands: [
            CommandSpec(["learn"], summary: "List the lessons, or run lesson N (also: next, back).",
                        discussion: "A lesson shows what each step does, runs it, and waits for Enter (q stops). Progress is kept between sessions. The language follows --lang, then `set lang = ko|en`, then LANG.",
                        arguments: [ArgumentSpec("which", "A lesson number, 'next' or 'back'.", type: .string,
                                                 completion: .choices(["next", "back"]), optional: true)],
                        flags: [FlagSpec("lang", "Lesson language.", type: .choice(["en", "ko"])),
                                FlagSpec("reset", "Forget progress.")],
                        examples: ["learn", "learn 1", "learn next", "learn 2 --lang ko"],
                        display: .custom(renderList), run: run),
        ])
    }

    static func language(_ inv: Invocation, _ ctx: CommandContext) -> String {
        if let l = inv.string("lang") { return l }
        if let l = ctx.variable("lang")?.stringValue, ["en", "ko"].contains(l) { return l }
        let env = ctx.environment
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let v = env[key], !v.isEmpty { return v.hasPrefix("ko") ? "ko" : "en" }
        }
        return "en"
    }

    static func run(_ inv: Invocation, _ ctx: CommandContext) async throws -> Value {
        let lang = language(inv, ctx)
        let lessons = try LessonCatalog.lessons(language: lang, environment: ctx.environment) { problem in
            ctx.report(Diagnostic(.warning, problem.message + " (lesson left out)", id: problem.id, at: problem.location))
        }
        var progress = Progress.load(ctx)
        if inv.flag("reset") { progress = Progress(); try progress.save(ctx) }
        guard let which = inv.string("which") else {
            return .list(lessons.map { l in
                .record(["lesson": .int(l.number), "title": .string(l.title),
                         "status": .string(progress.done.contains(l.number) ? "done" : progress.current == l.number ? "started" : ""),
                         "summary": .string(l.summary), "language": .string(l.language)])
            })
        }
        let number: Int
        switch which {
        case "next":
            number = lessons.first { !progress.done.contains($0.number) && $0.number > (progress.current ?? -1) }?.number
                ?? lessons.first { !progress.done.contains($0.number) }?.number ?? lessons.first?.number ?? 0
        case "back":
            number = lessons.last { $0.number < (progress.current ?? Int.max) }?.number ?? lessons.first?.number ?? 0
        default:
            guard let n = Int(which) else {
                throw inv.error("expected a lesson number, 'next' or 'back'", id: "usage.bad-argument", at: "which")
            }
            number = n
        }
        guard let lesson = lessons.first(where: { $0.number == number }) else {
            throw inv.error("there is no lesson \(number); lessons: " + lessons.map { String($0.number) }.joined(separator: ", "),
                            id: "learn.no-lesson", at: "which")
        }
        progress.current = lesson.number
        try? progress.save(ctx)
        let finished = try await present(lesson, isLast: lesson.number == lessons.last?.number, ctx)
        if finished {
            progress.done.insert(lesson.number)
            try? progress.save(ctx)
        }
        return .null
    }

    /// Shows and runs each step; true when the lesson ran to its end.
    static func present(_ lesson: Lesson, isLast: Bool = false, _ ctx: CommandContext) async throws -> Bool {
        let ko = lesson.language == "ko"
        let bold = ctx.color ? "\u{1B}[1m" : "", dim = ctx.color ? "\u{1B}[2m" : "", reset = ctx.color ? "\u{1B}[0m" : ""
        ctx.print("\(bold)\(ko ? "레슨" : "Lesson") \(lesson.number): \(lesson.title)\(reset)")
        let name = URL(fileURLWithPath: lesson.path).lastPathComponent
        for (k, step) in lesson.steps.enumerated() {
            if !step.narration.isEmpty { ctx.print("\n" + step.narration.joined(separator: "\n")) }
            ctx.print("\(dim)ft> \(step.command.replacingOccurrences(of: "\n", with: "\n..> "))\(reset)")
            let status = await ctx.run(source: step.command, file: name, firstLine: step.line)
            try Interrupt.check("lesson stopped")
            if status != .ok && status != .usage && status != .failure && status != .dataError { return false }
            if k < lesson.steps.count - 1 {
                let prompt = ko ? "\(dim)[Enter: 다음, q: 그만]\(reset) " : "\(dim)[Enter: next, q: stop]\(reset) "
                if !ctx.pause(prompt) { return false }
            }
        }
        if !lesson.closing.isEmpty { ctx.print("\n" + lesson.closing.joined(separator: "\n")) }
        if isLast {
            ctx.print(ko ? "\n레슨 \(lesson.number) 끝. 마지막 레슨이었습니다. 'learn'은 전체 목록과 진행 상황을 보여 줍니다."
                         : "\nEnd of lesson \(lesson.number), the last one. 'learn' shows the whole course and your progress.")
        } else {
            ctx.print(ko ? "\n레슨 \(lesson.number) 끝. 'learn next'로 다음 레슨을 시작하세요." : "\nEnd of lesson \(lesson.number). 'learn next' starts the next one.")
        }
        return true
    }

    static func renderList(_ v: Value, _ options: RenderOptions) -> String {
        guard let rows = v.listValue else { return v.text }
        // The list speaks the language the lessons were chosen in (a lesson not yet translated
        // is shown in English, but the list around it is not).
        let ko = rows.contains { $0["language"]?.stringValue == "ko" }
        let status = ko ? ["done": "완료", "started": "진행 중"] : [:]
        let table = Table(headers: ko ? ["#", "레슨", "상태"] : ["#", "lesson", "status"], rows: rows.map { r in
            let s = r["status"]?.text ?? ""
            return [r["lesson"]?.text ?? "", r["title"]?.text ?? "", status[s] ?? s]
        }, rightAligned: [0])
        return table.render() + (ko ? "\n\n'learn N'은 레슨 N을 실행하고, 'learn next'는 하던 곳에서 이어 갑니다."
                                    : "\n\n'learn N' runs lesson N; 'learn next' continues where you left off.")
    }

    /// Which lessons are done, kept in the XDG state folder.
    struct Progress: Codable {
        var done: Set<Int> = []
        var current: Int?

        static func path(_ ctx: CommandContext) -> String { Paths(environment: ctx.environment).state + "/learn.json" }

        static func load(_ ctx: CommandContext) -> Progress {
            guard let data = FileManager.default.contents(atPath: path(ctx)),
                  let p = try? JSONDecoder().decode(Progress.self, from: data) else { return Progress() }
            return p
        }

        func save(_ ctx: CommandContext) throws {
            let data = try JSONEncoder().encode(self)
            try AtomicFile.write(data, to: Self.path(ctx), overwrite: true)
        }
    }
}
