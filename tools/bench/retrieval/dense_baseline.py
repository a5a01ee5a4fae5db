#!/usr/bin/env python3
"""The handbook's dense baseline in Python: the same model through sentence-transformers (float32),
the same chunk texts read from the artifact with tools/golden/read_artifact.py (heading path line,
then the text: what policyc embedded), exact numpy search, the same passage merging (adjacent chunks
of one section count as one result) and the same gold definitions as policyc eval (docs/EVALUATION.md).

  dense_baseline.py ARTIFACT QUESTIONS_FOLDER MODEL_FOLDER   -> a table, then JSON on the last line
"""
import glob
import importlib.util
import json
import math
import os
import sys
import time

import numpy as np
from sentence_transformers import SentenceTransformer

HERE = os.path.dirname(os.path.abspath(__file__))


def load_reader():
    spec = importlib.util.spec_from_file_location("read_artifact", os.path.join(HERE, "..", "..", "golden", "read_artifact.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def merged_ranking(order, chunks, depth=10):
    """policyc's rule: a chunk next to a kept passage's chunks in the same section joins it."""
    passages = []
    for chunk in order:
        section = (chunks[chunk]["document_index"], chunks[chunk]["outline_index"])
        for passage in passages:
            if passage["section"] == section and (min(passage["chunks"]) - 1 == chunk or max(passage["chunks"]) + 1 == chunk):
                passage["chunks"].append(chunk)
                break
        else:
            if len(passages) == depth:
                break
            passages.append({"section": section, "chunks": [chunk]})
    return passages


def summary(ranks):
    n = len(ranks)
    recall = lambda k: sum(1 for r in ranks if r is not None and r <= k) / n
    return {"recall_at1": recall(1), "recall_at3": recall(3), "recall_at5": recall(5), "recall_at10": recall(10),
            "mrr": sum(1 / r for r in ranks if r) / n, "ndcg_at10": sum(1 / math.log2(r + 1) for r in ranks if r and r <= 10) / n}


def main(artifact, folder, model_folder):
    result = load_reader().Reader(open(artifact, "rb").read()).read()
    documents, chunks = result["documents"], result["chunks"]
    texts = []
    for chunk in chunks:
        outline = documents[chunk["document_index"]]["outline"]
        path_line = " > ".join(outline[chunk["outline_index"]]["heading_path"]) if chunk["outline_index"] is not None else ""
        texts.append(path_line + "\n" + chunk["text"])
    questions = [json.loads(line) for path in sorted(glob.glob(os.path.join(folder, "*.jsonl"))) for line in open(path) if line.strip()]
    model = SentenceTransformer(model_folder, device="cpu")
    started = time.time()
    matrix = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)
    queries = model.encode([q["question"] for q in questions], batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    stored = np.array(result["vectors"], dtype=np.float32)
    agreement = float(np.mean(np.sum(matrix * stored, axis=1)))
    document_ranks, section_ranks = [], []
    for question, vector in zip(questions, queries):
        if not question.get("answerable", True) or not question.get("document"):
            continue
        scores = matrix @ vector
        order = sorted(range(len(chunks)), key=lambda i: (-scores[i], i))
        passages = merged_ranking(order, chunks)
        gold = next(i for i, d in enumerate(documents) if d["path"] == question["document"])
        entry = next((o for o in documents[gold]["outline"] if " > ".join(o["heading_path"]) == question["heading_path"]), None)
        document_rank = section_rank = None
        for position, passage in enumerate(passages, start=1):
            for chunk in passage["chunks"]:
                if chunks[chunk]["document_index"] != gold:
                    continue
                document_rank = document_rank or position
                start, end = chunks[chunk]["source_character_range"]
                if entry and start < entry["source_character_end"] and entry["source_character_start"] < end:
                    section_rank = section_rank or position
        document_ranks.append(document_rank)
        section_ranks.append(section_rank)
    report = {"document": summary(document_ranks), "section": summary(section_ranks), "questions": len(section_ranks),
              "mean_cosine_with_artifact_vectors": agreement, "seconds": time.time() - started}
    for level in ("document", "section"):
        row = report[level]
        print("python dense %-8s R@1 %.3f R@3 %.3f R@5 %.3f R@10 %.3f MRR %.3f nDCG@10 %.3f" % (
            level, row["recall_at1"], row["recall_at3"], row["recall_at5"], row["recall_at10"], row["mrr"], row["ndcg_at10"]))
    print("mean cosine of sentence-transformers' chunk vectors with the artifact's: %.5f" % agreement)
    print(json.dumps(report))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
