import FTCore
import Foundation
@testable import FTTokenizer

/// Where the tests find OpenAI's rank files: `$FTSH_ENCODINGS_DIR`, else `shared/encodings`
/// beside the repository clone.
let encodingsDir: String = {
    if let d = ProcessInfo.processInfo.environment["FTSH_ENCODINGS_DIR"], !d.isEmpty { return d }
    return URL(fileURLWithPath: #filePath + "/../../../../shared/encodings").standardizedFileURL.path
}()

let goldenDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path

func loadEncoding(_ name: String) throws -> Encoding {
    try Encoding.load(named: name, searchPaths: [encodingsDir])
}

struct GoldenCase {
    var line: Int
    var text: String
    var ids: [Int]
}

func readGolden(_ file: String) throws -> [GoldenCase] {
    let path = goldenDir + "/" + file
    guard let data = FileManager.default.contents(atPath: path) else {
        throw Diagnostic.error("missing golden file \(path)", id: "test.missing-golden")
    }
    var cases: [GoldenCase] = []
    var lineNo = 0
    for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
        lineNo += 1
        if line.isEmpty { continue }
        let v = try JSON.decode(bytes: Array(line), file: path, line: lineNo)
        guard let text = v["text"]?.stringValue, let ids = v["ids"]?.listValue else {
            throw Diagnostic.error("\(path):\(lineNo): expected text and ids", id: "test.bad-golden")
        }
        cases.append(GoldenCase(line: lineNo, text: text, ids: ids.compactMap { $0.intValue }))
    }
    return cases
}
