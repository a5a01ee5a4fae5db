// The Swift side of tools/bench/embed: one measurement per process, printed as one JSON line.
//   embed-bench latency    MODEL_DIR [1 [PRECISION]]   p50/p95 of one question, one thread
//   embed-bench throughput MODEL_DIR THREADS [PRECISION] 256-token chunks per second
//   embed-bench memory     MODEL_DIR [1 [PRECISION]]   peak resident memory after embedding 1,000 questions
// PRECISION: float32 (default), float16 or bfloat16 (the layers' weights; see WeightPrecision).
import Embeddings
#if canImport(Glibc)
import Glibc
#endif

/// Prints `message` on standard error and exits with `code`.
func fail(_ message: String, code: Int32) -> Never {
    var text = message + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(code)
}

func seconds(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
    var time = timespec()
    clock_gettime(clock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// A field of /proc/self/status in kB (VmHWM: peak resident set; VmRSS: current).
func statusKilobytes(_ field: String) -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return -1 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix(field + ":") {
            return Int(text.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? -1
        }
    }
    return -1
}

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))]
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    fail("usage: embed-bench latency|throughput|memory MODEL_DIR [THREADS [float32|float16|bfloat16]]", code: 64)
}
let mode = arguments[1], folder = arguments[2]
let threads = arguments.count > 3 ? Int(arguments[3]) ?? 1 : 1
guard let precision = WeightPrecision(rawValue: arguments.count > 4 ? arguments[4] : "float32") else {
    fail("embed-bench: precision must be float32, float16 or bfloat16", code: 64)
}
let engine = ["float32": "swift", "float16": "swift-f16", "bfloat16": "swift-bf16"][precision.rawValue]!
// Threads run whole passes (SentenceEmbedder.embed(_:threadCount:)); OpenBLAS stays at one.
let start = seconds()
let embedder: SentenceEmbedder
do {
    embedder = try SentenceEmbedder(folder: folder, precision: precision)
} catch {
    fail("embed-bench: \(error)", code: 1)
}
let loadMilliseconds = (seconds() - start) * 1000
var sink: Float = 0   // keeps the work observable

switch mode {
case "latency":
    let questions = BenchmarkInputs.questions
    for question in questions { sink += embedder.embed(question)[0] }   // warm-up: page in the weights
    var samples: [Double] = [], cpuSamples: [Double] = []
    for round in 0..<1000 {
        let question = questions[round % questions.count]
        let before = seconds(), cpuBefore = seconds(CLOCK_PROCESS_CPUTIME_ID)
        sink += embedder.embed(question)[0]
        samples.append((seconds() - before) * 1000)
        cpuSamples.append((seconds(CLOCK_PROCESS_CPUTIME_ID) - cpuBefore) * 1000)   // not inflated by a loaded machine
    }
    samples.sort()
    cpuSamples.sort()
    let tokens = questions.map { embedder.tokenIDs(for: $0).count }
    print("{\"engine\":\"\(engine)\",\"mode\":\"latency\",\"threads\":\(threads),\"p50_ms\":\(percentile(samples, 0.5)),\"p95_ms\":\(percentile(samples, 0.95)),\"cpu_p50_ms\":\(percentile(cpuSamples, 0.5)),\"tokens_min\":\(tokens.min()!),\"tokens_max\":\(tokens.max()!),\"load_ms\":\(loadMilliseconds)}")
case "throughput":
    let batch = Array(repeating: BenchmarkInputs.chunk, count: 8)
    precondition(embedder.tokenIDs(for: BenchmarkInputs.chunk).count == 256)
    sink += embedder.embed(batch, threadCount: threads)[0][0]   // warm-up
    var chunks = 0
    let before = seconds()
    while chunks < 48 || seconds() - before < 3 {
        sink += embedder.embed(batch, threadCount: threads)[0][0]
        chunks += batch.count
    }
    let rate = Double(chunks) / (seconds() - before)
    print("{\"engine\":\"\(engine)\",\"mode\":\"throughput\",\"threads\":\(threads),\"chunks_per_s\":\(rate)}")
case "memory":
    for round in 0..<1000 { sink += embedder.embed(BenchmarkInputs.questions[round % BenchmarkInputs.questions.count])[0] }
    print("{\"engine\":\"\(engine)\",\"mode\":\"memory\",\"threads\":\(threads),\"peak_rss_mb\":\(Double(statusKilobytes("VmHWM")) / 1024),\"rss_mb\":\(Double(statusKilobytes("VmRSS")) / 1024),\"rss_anonymous_mb\":\(Double(statusKilobytes("RssAnon")) / 1024),\"rss_files_mb\":\(Double(statusKilobytes("RssFile")) / 1024)}")
default:
    fail("embed-bench: unknown mode \(mode)", code: 64)
}
if sink.isNaN { fail("embed-bench: the vectors contain NaN", code: 1) }
