import Foundation  // build-time tooling: full Foundation (String(format:), log2) is fine here

/// One line of `Tests/Eval/questions-*.jsonl`: a question, whether the handbook answers it, and
/// where (document path and heading path, "A > B > C"). Questions without a document (other test
/// collections, or unanswerable ones) count only towards refusal and latency.
public struct GoldQuestion: Decodable, Equatable, Sendable {
    public var id: String
    public var question: String
    public var answerable: Bool
    public var document: String?
    public var headingPath: String?

    enum CodingKeys: String, CodingKey { case id, question, answerable, document, headingPath = "heading_path" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        question = try container.decode(String.self, forKey: .question)
        answerable = try container.decodeIfPresent(Bool.self, forKey: .answerable) ?? true
        document = try container.decodeIfPresent(String.self, forKey: .document)
        headingPath = try container.decodeIfPresent(String.self, forKey: .headingPath)
    }

    /// Every question of a `.jsonl` file, or of every `.jsonl` file in a folder (in name order).
    public static func load(_ path: String) throws(EvaluationError) -> [GoldQuestion] {
        guard FileManager.default.fileExists(atPath: path) else { throw .cannotRead(path: path, reason: "no such file") }
        let files: [String]
        if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
            files = names.filter { $0.hasSuffix(".jsonl") }.sorted().map { path + "/" + $0 }
        } else {
            files = [path]
        }
        var questions: [GoldQuestion] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw .cannotRead(path: file, reason: "unreadable or not UTF-8")
            }
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                do {
                    questions.append(try JSONDecoder().decode(GoldQuestion.self, from: Data(line.utf8)))
                } catch {
                    throw .badQuestion(path: file, line: number + 1, reason: "\(error)")
                }
            }
        }
        guard !questions.isEmpty else { throw .cannotRead(path: path, reason: "holds no questions (.jsonl lines)") }
        return questions
    }
}

/// Why an evaluation could not run. `description` says what to do.
public enum EvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    case badQuestion(path: String, line: Int, reason: String)
    case badBaseline(path: String, reason: String)
    case retrieval(String)

    public var description: String {
        switch self {
        case .cannotRead(let path, let reason): "cannot read \(path): \(reason); pass a .jsonl file or a folder of them"
        case .badQuestion(let path, let line, let reason): "\(path):\(line) is not a gold question (\(reason)); fix the line (fields id, question, answerable, document, heading_path)"
        case .badBaseline(let path, let reason): "cannot use baseline \(path): \(reason); regenerate it with policyc eval --json"
        case .retrieval(let message): message
        }
    }
}
