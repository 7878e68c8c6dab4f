import Foundation
import FTCore
import FTShell

/// A lesson: a checked `.ftsh` transcript whose comments are the narration.
///
///     # lesson: 1
///     # title: What fine-tuning is
///     # summary: One sentence for the list.
///
///     # Narration for the first step: the comment lines right above a command.
///     echo hello
///     #=> hello
///
/// The same file runs straight through under `ftsh --check` (so the lesson cannot rot) and
/// step by step under `learn N`, pausing between steps.
struct Lesson: Sendable {
    struct Step: Sendable {
        var narration: [String]
        var command: String
        var line: Int
    }

    var number: Int
    var language: String
    var title: String
    var summary: String
    var path: String
    var steps: [Step]
    /// Narration after the last command.
    var closing: [String]

    static func load(_ path: String) throws(Diagnostic) -> Lesson {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let text = try ScriptFile.read(path, shownAs: name)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var header: [String: String] = [:]
        for line in lines.prefix(8) {
            for key in ["lesson", "title", "summary"] where line.hasPrefix("# \(key):") {
                header[key] = line.dropFirst(key.count + 3).trimmingCharacters(in: .whitespaces)
            }
        }
        guard let n = header["lesson"].flatMap(Int.init), let title = header["title"] else {
            throw .error("\(name) needs '# lesson: N' and '# title: …' lines at the top", id: "learn.bad-lesson",
                         at: SourceLocation(file: name, line: 1, column: 1))
        }
        let parsed: [(statement: Statement, first: Int, last: Int)]
        do { parsed = try Parser.parseWithLines(text, file: name) } catch { throw error.diagnostic }
        var steps: [Step] = []
        var previousEnd = 0
        for item in parsed {
            // A second statement on the same line belongs to the step of the first.
            if steps.last?.line == item.first || item.first - 1 < previousEnd {
                previousEnd = max(previousEnd, item.last)
                continue
            }
            // Narration: every comment paragraph between the previous command's expectations
            // and this one, paragraphs kept apart by an empty line.
            var narration: [String] = []
            for k in previousEnd..<(item.first - 1) {
                let l = lines[k]
                if Expectations.isExpectationLine(Substring(l)) { continue }
                if l.hasPrefix("# lesson:") || l.hasPrefix("# title:") || l.hasPrefix("# summary:") { continue }
                if l.hasPrefix("#") {
                    narration.append(String(l.dropFirst(l.hasPrefix("# ") ? 2 : 1)))
                } else if l.trimmingCharacters(in: .whitespaces).isEmpty, let last = narration.last, !last.isEmpty {
                    narration.append("")
                }
            }
            while narration.last == "" { narration.removeLast() }
            let command = lines[(item.first - 1)..<item.last].joined(separator: "\n")
            steps.append(Step(narration: narration, command: command, line: item.first))
            previousEnd = item.last
        }
        var closing: [String] = []
        for l in lines[min(previousEnd, lines.count)...] where l.hasPrefix("#") && !Expectations.isExpectationLine(Substring(l)) {
            closing.append(String(l.dropFirst(l.hasPrefix("# ") ? 2 : 1)))
        }
        let language = name.hasSuffix(".ko.ftsh") ? "ko" : "en"
        return Lesson(number: n, language: language, title: title, summary: header["summary"] ?? "", path: path,
                      steps: steps, closing: closing)
    }
}

/// Finds lessons: `lessons/` in the share directories, or `scripts/lessons/` in a source tree.
enum LessonCatalog {
    static func directories(environment: [String: String]) -> [String] {
        var dirs: [String] = []
        for share in Paths.shareDirectories(environment: environment) {
            dirs.append(share + "/lessons")
            dirs.append(URL(fileURLWithPath: share).deletingLastPathComponent().path + "/scripts/lessons")
        }
        return dirs.filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// The lessons in one language (falling back to English for a lesson not yet translated).
    /// A lesson file that cannot be read is left out and reported through `problem`, so one
    /// broken file does not hide the others.
    static func lessons(language: String, environment: [String: String],
                        problem: (Diagnostic) -> Void = { _ in }) throws(Diagnostic) -> [Lesson] {
        guard let dir = directories(environment: environment).first else {
            throw .error("no lessons found; set FTSH_SHARE_DIR to ftsh's share folder", id: "learn.not-found")
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".ftsh") }.sorted()
        var byNumber: [Int: Lesson] = [:]
        for f in files {
            let lesson: Lesson
            do { lesson = try Lesson.load(dir + "/" + f) } catch {
                problem(error)
                continue
            }
            if lesson.language == language || byNumber[lesson.number] == nil { byNumber[lesson.number] = lesson }
        }
        return byNumber.keys.sorted().map { byNumber[$0]! }
    }
}
