import FTCore
import Foundation
import Testing
@testable import FTServe

@Suite struct OptionTests {
    @Test func defaultDataDirectoryFollowsXDG() {
        #expect(ServeOptions.defaultDataDirectory(environment: ["HOME": "/h"]) == "/h/.local/state/ftsh/serve")
        #expect(ServeOptions.defaultDataDirectory(environment: ["HOME": "/h", "XDG_STATE_HOME": "/s"]) == "/s/ftsh/serve")
    }
}

@Suite struct PartsTests {
    @Test func multipartFindsFieldsAndBinaryFile() throws {
        let payload = Data([0x00, 0x0D, 0x0A, 0x2D, 0x2D, 0xFF] + Array("--b\r".utf8))
        let (body, type) = multipart(fields: ["purpose": "fine-tune"], file: ("file", "a \"q\".jsonl", payload))
        let boundary = try #require(MultipartForm.boundary(contentType: type))
        let form = try MultipartForm(body: Array(body), boundary: boundary)
        #expect(form.field("purpose") == "fine-tune")
        let file = try #require(form.file("file"))
        #expect(Data(file.data) == payload)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=\"x y\"") == "x y")
        #expect(MultipartForm.boundary(contentType: "application/json") == nil)
        #expect(throws: APIError.self) { try MultipartForm(body: Array("no boundary here".utf8), boundary: "zz") }
    }

    @Test func answersStopAtTurnsAndStopTexts() {
        #expect(ChatGeneration.visible(" red red\nuser: more", stops: [], final: false) == ("red red", true))
        #expect(ChatGeneration.visible(" red END blue", stops: ["END"], final: false) == ("red", true))
        // While generating, text that may still become a marker or a stop text is held back.
        #expect(ChatGeneration.visible(" red\nus", stops: [], final: false) == ("red", false))
        #expect(ChatGeneration.visible(" red EN", stops: ["END"], final: false) == ("red ", false))
        #expect(ChatGeneration.visible(" red EN", stops: ["END"], final: true) == ("red EN", false))
    }

    @Test func schemaCheckerRejectsWhatTheSpecForbids() {
        let checker = SchemaChecker.shared
        #expect(checker.check(["id": "m", "object": "model", "created": 1, "owned_by": "x"], operation: "GET /models/{model}") == [])
        #expect(checker.check(["id": "m", "object": "model", "created": 1.5], operation: "GET /models/{model}").count == 2)
        #expect(!checker.check(["error": ["message": "m", "type": "t", "param": 3, "code": .null]], component: "ErrorResponse").isEmpty)
        #expect(!checker.check(["object": "list", "data": [["id": "x"]], "has_more": false], operation: "GET /fine_tuning/jobs").isEmpty)
    }
}
