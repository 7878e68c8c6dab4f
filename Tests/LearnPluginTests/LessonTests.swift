import FTCore
import FTPluginKit
import Foundation
import Testing
@testable import LearnPlugin

/// A share folder holding the given lesson files, for the catalog to find.
private func shareFolder(_ files: [String: String]) throws -> String {
    let dir = NSTemporaryDirectory() + "ftsh-learn-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir + "/lessons", withIntermediateDirectories: true)
    for (name, text) in files { try text.write(toFile: dir + "/lessons/" + name, atomically: true, encoding: .utf8) }
    return dir
}

private let sample = """
# lesson: 3
# title: A sample
# summary: Narration and steps.

# The first paragraph, on its own.

# The second paragraph,
# two lines long.
echo one
#=> one

# Two statements on one line are one step.
set a = 1; set b = 2
echo $a $b
#=> 1 2

# The end.
"""

@Suite struct LessonTests {
    @Test func everyParagraphAboveACommandNarratesIt() throws {
        let dir = try shareFolder(["03-sample.en.ftsh": sample])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lesson = try Lesson.load(dir + "/lessons/03-sample.en.ftsh")
        #expect(lesson.number == 3 && lesson.title == "A sample" && lesson.summary == "Narration and steps.")
        #expect(lesson.steps.map(\.command) == ["echo one", "set a = 1; set b = 2", "echo $a $b"])
        #expect(lesson.steps[0].narration == ["The first paragraph, on its own.", "", "The second paragraph,", "two lines long."])
        #expect(lesson.steps[1].narration == ["Two statements on one line are one step."])
        #expect(lesson.steps[2].narration.isEmpty)
        #expect(lesson.steps.map(\.line) == [9, 13, 14])
        #expect(lesson.closing == ["The end."])
    }

    @Test func aBrokenLessonIsLeftOutAndReported() throws {
        let dir = try shareFolder(["03-sample.en.ftsh": sample, "04-broken.en.ftsh": "# title: no number\necho hi\n",
                                   "03-sample.ko.ftsh": sample.replacingOccurrences(of: "A sample", with: "보기")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var problems: [Diagnostic] = []
        let en = try LessonCatalog.lessons(language: "en", environment: ["FTSH_SHARE_DIR": dir]) { problems.append($0) }
        #expect(en.map(\.title) == ["A sample"])
        #expect(problems.map(\.id) == ["learn.bad-lesson"])
        let ko = try LessonCatalog.lessons(language: "ko", environment: ["FTSH_SHARE_DIR": dir])
        #expect(ko.map(\.title) == ["보기"])
    }

    @Test func theListSpeaksTheLessonsLanguage() {
        let row: (String) -> Value = { lang in
            .list([.record(["lesson": .int(1), "title": "t", "status": "done", "summary": "", "language": .string(lang)])])
        }
        let ko = LearnPlugin.renderList(row("ko"), RenderOptions(color: false, width: 80))
        #expect(ko.contains("완료") && ko.contains("레슨") && !ko.contains("runs lesson"))
        let en = LearnPlugin.renderList(row("en"), RenderOptions(color: false, width: 80))
        #expect(en.contains("done") && en.contains("'learn N' runs lesson N"))
    }

    /// The shipped course: every lesson loads, and each is there in both languages with the
    /// same number of steps (a translation that lost or gained a command would show here).
    @Test func theShippedLessonsComeInBothLanguagesStepForStep() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.path + "/scripts/lessons"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".ftsh") }.sorted()
        var byNumber: [Int: [String: Lesson]] = [:]
        for f in files {
            let l = try Lesson.load(dir + "/" + f)
            #expect(byNumber[l.number]?[l.language] == nil, "two \(l.language) lessons numbered \(l.number)")
            byNumber[l.number, default: [:]][l.language] = l
        }
        #expect(byNumber.keys.sorted() == Array(0...9))
        for (n, pair) in byNumber.sorted(by: { $0.key < $1.key }) {
            let en = try #require(pair["en"], "lesson \(n) has no English version")
            let ko = try #require(pair["ko"], "lesson \(n) has no Korean version")
            #expect(en.steps.count == ko.steps.count, "lesson \(n): \(en.steps.count) steps in English, \(ko.steps.count) in Korean")
            #expect(!en.steps.isEmpty)
        }
    }
}
