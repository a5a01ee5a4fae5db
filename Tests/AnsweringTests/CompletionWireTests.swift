import Testing
@testable import Answering

@Suite struct CompletionWireTests {
    @Test func readsAStreamChunkAndAWholeCompletion() throws {
        let chunk = #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}"#
        #expect(try CompletionWire.decode(Array(chunk.utf8)) == .init(text: "Hi", finishReason: nil, model: "m"))
        let whole = #"{"choices":[{"message":{"role":"assistant","content":"Done [1]."},"finish_reason":"stop"}],"usage":{"total_tokens":3}}"#
        #expect(try CompletionWire.decode(Array(whole.utf8)) == .init(text: "Done [1].", finishReason: "stop", model: nil))
        let empty = #"{"choices":[],"usage":{"total_tokens":3}}"#
        #expect(try CompletionWire.decode(Array(empty.utf8)).text == "")
    }

    @Test func turnsErrorObjectsAndGarbageIntoErrors() {
        #expect(throws: AnswerError.endpointError("Rate limit exceeded")) {
            try CompletionWire.decode(Array(#"{"error":{"message":"Rate limit exceeded","code":429}}"#.utf8))
        }
        #expect(throws: AnswerError.malformedResponse("a reply is not valid JSON")) {
            try CompletionWire.decode(Array(#"{"choices": [{"delta": "#.utf8))
        }
        #expect(throws: AnswerError.malformedResponse("a reply has no 'choices'")) {
            try CompletionWire.decode(Array(#"{"object":"list"}"#.utf8))
        }
    }

    @Test func sendsMaxTokensNotMaxCompletionTokens() {
        let body = String(decoding: CompletionWire.encode(.init(model: "m", messages: [.init(role: .user, content: "q")],
                                                                stream: true, maxTokens: 12, temperature: 0.1)), as: UTF8.self)
        #expect(body.contains(#""max_tokens":12"#))
        #expect(!body.contains("max_completion_tokens"))
        #expect(body.contains(#""stream":true"#))
    }
}
