import Testing
@testable import Answering

@Suite struct LLMSettingsTests {
    @Test func readsTheEnvironmentAndNeverPrintsTheKey() throws {
        let settings = try #require(try LLMSettings.fromEnvironment([
            "LLM_BASE_URL": "http://127.0.0.1:8000/v1/", "LLM_MODEL": "smol", "LLM_API_KEY": "sk-secret-123",
            "LLM_TOTAL_TIMEOUT_SECONDS": "12",
        ]))
        #expect(settings.completionsURL == "http://127.0.0.1:8000/v1/chat/completions")
        #expect(settings.totalTimeoutSeconds == 12)
        #expect(settings.apiKey == "sk-secret-123")
        #expect(!settings.description.contains("sk-secret"))
        #expect(!"\(settings)".contains("sk-secret"))
    }

    @Test func noBaseURLMeansNoModel() throws {
        #expect(try LLMSettings.fromEnvironment(["LLM_MODEL": "x"]) == nil)
    }

    @Test func rejectsUnusableValuesWithoutEchoingTheKey() {
        #expect(throws: LLMSettings.SettingsError.self) { try LLMSettings.fromEnvironment(["LLM_BASE_URL": "ftp://x", "LLM_MODEL": "m"]) }
        #expect(throws: LLMSettings.SettingsError.self) { try LLMSettings.fromEnvironment(["LLM_BASE_URL": "http://x/v1"]) }
        do {
            _ = try LLMSettings.fromEnvironment(["LLM_BASE_URL": "http://x/v1", "LLM_MODEL": "m", "LLM_API_KEY": "sk-secret",
                                                 "LLM_TOTAL_TIMEOUT_SECONDS": "soon"])
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("sk-secret"))
            #expect(error.description.contains("LLM_TOTAL_TIMEOUT_SECONDS"))
        }
    }

    @Test func secretsInTheURLAreNotDescribed() {
        let settings = LLMSettings(baseURL: "https://user:hunter2@models.example/v1?key=sk-123", model: "m", apiKey: "sk-abc")
        #expect(settings.completionsURL.contains("hunter2"))   // the request itself needs them
        let text = settings.description
        #expect(!text.contains("hunter2") && !text.contains("sk-123") && !text.contains("sk-abc") && !text.contains("user:"), "\(text)")
        #expect(text.hasPrefix("https://…@models.example/"), "\(text)")
        #expect(LLMSettings(baseURL: "http://127.0.0.1:8080/v1", model: "m", apiKey: nil).redactedCompletionsURL
                == "http://127.0.0.1:8080/v1/chat/completions")
    }
}
