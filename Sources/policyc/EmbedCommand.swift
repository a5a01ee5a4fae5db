import ArgumentParser
import Embeddings
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `policyc embed`: prints one JSON object per text with its embedding (and token ids).
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print the sentence embedding of each text as one JSON object per line.",
        discussion: """
            Texts come from the arguments, or, when there are none, one per line from standard input. \
            Each output line is {"text": …, "tokens": [ids] (with --tokens), "embedding": [floats]}.

            Exit codes:
              0   every text was embedded
              1   the model folder could not be loaded (the message says what and where)
              64  invalid command-line usage
            """
    )

    @Option(name: .long, help: ArgumentHelp(
        "The sentence-transformers model folder (default: $POLICYQA_MODEL_DIR, else models/all-MiniLM-L6-v2).",
        valueName: "dir"))
    var model: String?

    @Flag(name: .long, help: "Also print each text's token ids, [CLS] and [SEP] included.")
    var tokens = false

    @Option(name: .long, help: ArgumentHelp(
        "Layer weights: float32 (as stored; what the index is built with), float16 or bfloat16 (the daemon's questions; bfloat16 needs AVX512_BF16, else it is float16).",
        valueName: "precision"))
    var precision: WeightPrecision = .float32

    @Argument(help: "Texts to embed; read one per line from standard input when none are given.")
    var texts: [String] = []

    func run() throws {
        let embedder: SentenceEmbedder
        do {
            let folder = model ?? ProcessInfo.processInfo.environment["POLICYQA_MODEL_DIR"] ?? "models/all-MiniLM-L6-v2"
            embedder = try SentenceEmbedder(folder: folder, precision: precision)
        } catch {
            throw ModelLoadFailure(message: "policyc embed: \(error)")
        }
        var inputs = texts
        if inputs.isEmpty {
            while let line = readLine(strippingNewline: true) { inputs.append(line) }
        }
        for text in inputs {
            let ids = embedder.tokenIDs(for: text)
            let vector = embedder.embed(tokenIDs: [ids])[0]
            var line = "{\"text\":" + JSONText.quoted(text)
            if tokens { line += ",\"tokens\":[" + ids.map(String.init).joined(separator: ",") + "]" }
            line += ",\"embedding\":[" + vector.map(JSONText.number).joined(separator: ",") + "]}"
            print(line)
        }
    }
}

/// A model that cannot be loaded: ArgumentParser prints the message and exits with code 1.
struct ModelLoadFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension WeightPrecision: ExpressibleByArgument {}
