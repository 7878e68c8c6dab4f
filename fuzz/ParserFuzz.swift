// libFuzzer entry point: every input must parse or fail with a SyntaxError, never crash.
// Built by scripts/fuzz together with the parser's and FTCore's sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let text = try? ScriptFile.decode(bytes, name: "fuzz.ftsh") {
        _ = try? Parser.parse(text, file: "fuzz.ftsh")
        _ = try? Parser.parseWithLines(text, file: "fuzz.ftsh")
    }
    _ = try? Parser.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.ftsh")
    _ = try? JSON.decode(bytes: bytes, file: "fuzz.json")
    return 0
}
