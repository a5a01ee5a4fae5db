#!/usr/bin/env python3
"""The Cranfield check (docs/EVALUATION.md): our BM25, dense and hybrid rankings against a reference
BM25 implementation (bm25s, Lucene variant) on the same chunks and the same terms.

  cranfield.py prepare DATA OUT          documents as OUT/docs/NNNN.txt, queries as OUT/questions.jsonl
  cranfield.py score DATA ARTIFACT RUN   nDCG@10, MRR, recall@10 of each mode of RUN (policyc eval --run)
                                         and of the reference, as a table and as JSON (last line)

DATA is the Cranfield folder (../shared/data/cranfield; nothing of it is copied into the repository).
Query numbering: judgements number the queries 1..225 in file order, not by their .I lines.
Judgements: cranqrel grades 1 (complete answer) .. 4 (minimal interest) become gains 4 .. 1; -1
(judged not relevant) is gain 0.
"""
import importlib.util
import json
import math
import os
import sys

import bm25s

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import search_terms  # noqa: E402


def records(path):
    """.I-delimited records as (id, {field: text})."""
    current, field, out = None, None, []
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith(".I"):
            current = {"id": line.split()[1], "fields": {}}
            out.append(current)
            field = None
        elif line[:2] in (".T", ".A", ".B", ".W") and line.strip() == line[:2]:
            field = line[1]
            current["fields"][field] = ""
        elif field is not None:
            current["fields"][field] += line
    return out


def prepare(data, out):
    os.makedirs(os.path.join(out, "docs"), exist_ok=True)
    documents = records(os.path.join(data, "cran.all.1400"))
    skipped = []
    for record in documents:
        text = " ".join(record["fields"].get("W", "").split())
        if not text:  # a few abstracts are empty (471, 995); policyc refuses empty sources
            skipped.append(record["id"])
            continue
        with open(os.path.join(out, "docs", "%04d.txt" % int(record["id"])), "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    queries = records(os.path.join(data, "cran.qry"))
    with open(os.path.join(out, "questions.jsonl"), "w", encoding="utf-8") as handle:
        for number, record in enumerate(queries, start=1):  # the judgements' numbering: file order
            handle.write(json.dumps({"id": str(number), "question": " ".join(record["fields"]["W"].split()), "answerable": True}) + "\n")
    print("cranfield: %d documents (%d empty ones skipped: %s), %d queries -> %s"
          % (len(documents) - len(skipped), len(skipped), " ".join(skipped), len(queries), out), file=sys.stderr)


def judgements(data):
    gains = {}
    for line in open(os.path.join(data, "cranqrel")):
        parts = line.split()
        if len(parts) < 3:
            continue
        query, document, grade = parts[0], int(parts[1]), int(parts[2])
        if 1 <= grade <= 4:
            gains.setdefault(query, {})[document] = 5 - grade
    return gains


def metrics(ranked, gains):
    """nDCG@10 (graded), MRR and recall@10 (any gain > 0) for one query."""
    dcg = sum(gains.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(gains.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    first = next((i + 1 for i, d in enumerate(ranked) if gains.get(d, 0) > 0), None)
    relevant = sum(1 for g in gains.values() if g > 0)
    found = sum(1 for d in ranked[:10] if gains.get(d, 0) > 0)
    return (dcg / idcg if idcg else 0.0, 1.0 / first if first else 0.0, found / relevant if relevant else 0.0)


def load_reader():
    path = os.path.join(HERE, "..", "..", "golden", "read_artifact.py")
    spec = importlib.util.spec_from_file_location("read_artifact", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score(data, artifact, run):
    gains = judgements(data)
    module = load_reader()
    reader = module.Reader(open(artifact, "rb").read())
    result = reader.read()
    if result["problems"]:
        sys.exit("cranfield: %s is not valid: %s" % (artifact, result["problems"][:3]))
    documents = result["documents"]
    chunks = result["chunks"]
    chunk_document = [int(os.path.splitext(os.path.basename(documents[c["document_index"]]["path"]))[0]) for c in chunks]

    # The chunks' terms as the artifact's lexicon holds them (bags rebuilt from the postings), and
    # this Python port's terms of the same embedded texts: how often do the two tokenizers agree?
    bags = [[] for _ in chunks]
    for term, postings in reader.lexicon_terms.items():
        for chunk, count in postings:
            bags[chunk].extend([term] * count)
    agree = 0
    for index, chunk in enumerate(chunks):
        outline = documents[chunk["document_index"]]["outline"]
        path_line = " > ".join(outline[chunk["outline_index"]]["heading_path"]) if chunk["outline_index"] is not None else ""
        agree += sorted(search_terms.terms(path_line + "\n" + chunk["text"])) == sorted(bags[index])

    reference = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    reference.index([bag if bag else ["\0empty"] for bag in bags], show_progress=False)
    queries = [json.loads(line) for line in open(os.path.join(os.path.dirname(run), "questions.jsonl"))]

    runs = {}
    for line in open(run):
        qid, _, path, rank, value, mode = line.split()
        runs.setdefault(mode, {}).setdefault(qid, []).append(int(os.path.splitext(path)[0]))
    ref_run = {}
    vocabulary = set(reference.vocab_dict.keys()) if hasattr(reference, "vocab_dict") else None
    for query in queries:
        tokens = [t for t in search_terms.terms(query["question"]) if vocabulary is None or t in vocabulary]
        scores = reference.get_scores(tokens) if tokens else [0.0] * len(chunks)
        best = {}
        for chunk, value in enumerate(scores):
            document = chunk_document[chunk]
            if value > best.get(document, -1):
                best[document] = value
        ranked = sorted((d for d in best if best[d] > 0), key=lambda d: (-best[d], d))
        ref_run[query["id"]] = ranked[:100]
    runs["reference-bm25s-lucene"] = ref_run

    table = {}
    for name, ranking in runs.items():
        rows = [metrics(ranking.get(q["id"], []), gains.get(q["id"], {})) for q in queries if gains.get(q["id"])]
        table[name] = {"ndcg_at10": sum(r[0] for r in rows) / len(rows), "mrr": sum(r[1] for r in rows) / len(rows),
                       "recall_at10": sum(r[2] for r in rows) / len(rows), "queries": len(rows)}
    print("%-24s %8s %8s %10s" % ("run", "nDCG@10", "MRR", "recall@10"))
    for name, row in table.items():
        print("%-24s %8.4f %8.4f %10.4f" % (name, row["ndcg_at10"], row["mrr"], row["recall_at10"]))
    print("tokenizer agreement (Python port vs the artifact's lexicon): %d of %d chunks identical" % (agree, len(chunks)))
    print(json.dumps({"runs": table, "chunks": len(chunks), "tokenizer_agreement": agree / len(chunks)}))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
