#!/usr/bin/env python3
"""The Python baselines of tools/bench/embed: sentence-transformers (PyTorch) and ONNX Runtime.

One measurement per process, printed as one JSON line, the same as the Swift side (embed-bench):
    bench_reference.py ENGINE latency    MODEL_DIR            ENGINE: st | ort
    bench_reference.py ENGINE throughput MODEL_DIR THREADS
    bench_reference.py ENGINE memory     MODEL_DIR
    bench_reference.py export-onnx MODEL_DIR OUTPUT.onnx     (once; the export stays out of git)
The ONNX model is looked up at $POLICYQA_ONNX_MODEL. Runs in the environment tools/reference/setup-venv makes.
"""
import json
import os
import resource
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Keep in step with tools/bench/embed/swift/Sources/embed-bench/BenchmarkInputs.swift.
QUESTIONS = [
    "How many days can I work from abroad without asking my manager first?",
    "Who approves expenses over five thousand dollars for a team offsite next month?",
    "What is the parental leave policy for adoptive parents living in Germany?",
    "Can I contribute to my retirement plan while I am on unpaid leave?",
    "How do I report sick leave if I fall ill while travelling for work?",
    "Is there a budget for home office equipment when I work remotely full time?",
    "What happens to my unused vacation days at the end of the calendar year?",
    "Do contractors need to follow the same security policy for personal laptops as employees?",
    "How long does the company keep my personal data after I leave?",
    "Which hotels can I book on a business trip and what is the nightly limit?",
]
CHUNK = (
    "Employees may work remotely from another country for up to twenty working days in any twelve-month period, "
    "provided that their manager approves the request in writing at least two weeks in advance, that the destination "
    "is not subject to sanctions, and that the employee remains reachable during core hours. Expenses incurred while "
    "abroad are reimbursed under the travel policy, section 4.2, only when the trip was requested by the company. \n"
) * 4
MAX_TOKENS = 256


def percentile(sorted_values, fraction):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


def load_engine(engine, model_dir, threads):
    """Returns embed(list_of_texts) -> numpy array, for the engine."""
    if engine == "st":
        import torch
        from sentence_transformers import SentenceTransformer
        torch.set_num_threads(threads)
        model = SentenceTransformer(model_dir, device="cpu")
        return lambda texts: model.encode(texts, batch_size=len(texts), convert_to_numpy=True)
    if engine == "ort":
        import numpy as np
        import onnxruntime
        from tokenizers import BertWordPieceTokenizer
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = onnxruntime.InferenceSession(os.environ["POLICYQA_ONNX_MODEL"], options, providers=["CPUExecutionProvider"])
        tokenizer = BertWordPieceTokenizer(os.path.join(model_dir, "vocab.txt"), lowercase=True)
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding()

        def embed(texts):
            encodings = tokenizer.encode_batch(texts)
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            summed = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            return summed / np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)
        return embed
    raise SystemExit(f"unknown engine {engine}")


def export_onnx(model_dir, output):
    import torch
    from transformers import AutoModel, AutoTokenizer
    model = AutoModel.from_pretrained(model_dir, attn_implementation="eager")
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    sample = tokenizer(["an example question for the export"], return_tensors="pt")

    class HiddenStates(torch.nn.Module):
        """Keyword arguments only: BertModel.forward's positional order differs between versions."""
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            HiddenStates(model), (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]), output,
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]},
            opset_version=17, dynamo=False,
        )


def main():
    if sys.argv[1] == "export-onnx":
        export_onnx(sys.argv[2], sys.argv[3])
        return
    engine, mode, model_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    start = time.perf_counter()
    embed = load_engine(engine, model_dir, threads)
    load_ms = (time.perf_counter() - start) * 1000
    result = {"engine": engine, "mode": mode, "threads": threads}
    if mode == "latency":
        for question in QUESTIONS:
            embed([question])
        samples, cpu_samples = [], []
        for round_index in range(500):
            question = QUESTIONS[round_index % len(QUESTIONS)]
            before, cpu_before = time.perf_counter(), time.process_time()
            embed([question])
            samples.append((time.perf_counter() - before) * 1000)
            cpu_samples.append((time.process_time() - cpu_before) * 1000)
        samples.sort()
        cpu_samples.sort()
        # CPU time of the whole process per question: what a loaded machine does not inflate.
        result.update(p50_ms=percentile(samples, 0.5), p95_ms=percentile(samples, 0.95),
                      cpu_p50_ms=percentile(cpu_samples, 0.5), load_ms=load_ms)
    elif mode == "throughput":
        batch = [CHUNK] * 8
        embed(batch)
        chunks, before = 0, time.perf_counter()
        while chunks < 48 or time.perf_counter() - before < 3:
            embed(batch)
            chunks += len(batch)
        result.update(chunks_per_s=chunks / (time.perf_counter() - before))
    elif mode == "memory":
        for round_index in range(1000):
            embed([QUESTIONS[round_index % len(QUESTIONS)]])
        result.update(peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
