#!/usr/bin/env python3
"""The section-level study behind docs/EVALUATION.md ("Section-level targets"): candidate changes to
hybrid ranking, each scored on two halves of the handbook's answerable gold questions fixed in
advance, the winner chosen on half A only and then read on half B.

  section_study.py ARTIFACT QUESTIONS_FOLDER MODEL_FOLDER   -> a table, then JSON on the last line

Half A holds the questions whose id's SHA-256 starts with an even byte, half B the others; the rule
was fixed before any figure was looked at. Chunk vectors and chunk terms come from the artifact
(tools/golden/read_artifact.py), as policyd uses them; questions and heading paths are embedded
with sentence-transformers (float32), question terms come from the Python port of the search
tokenizer (search_terms.py). Passage merging and the gold definition are policyc eval's (the
same as dense_baseline.py). The candidates:

- fusion: weighted (min-max over each list's 100 best, as Retriever does) at several dense
  weights, z-score scaling instead of min-max, reciprocal rank fusion;
- a heading signal: the cosine of the question with the embedded heading path of the chunk's
  outline entry (or the best of the entries the chunk covers), as a third weighted list;
- BM25F-like field weighting: heading-path terms counted 2 or 3 times;
- a document prior (Retriever's rule): each fused candidate plus beta times the mean of its
  document's best min(3, chunk count) candidates;
- dense pseudo-relevance feedback (Rocchio): the question vector moved towards its 3 best chunks;
- a sentence signal: each chunk's sentences embedded on their own (after the chunk's heading path
  line, as the chunk is), the chunk scored by its best sentence's cosine, as a list of its own or in
  place of the chunk cosine;
- late-interaction re-ranking (what policyd does since format 1.2): the fused ranking's first `depth`
  chunks re-ordered by the idf-weighted mean, over the question's tokens, of each token's best
  estimated cosine with the chunk's tokens, from the artifact's token signatures (sign bits) and
  the question's token states from sentence-transformers; min-max scaled over those chunks, then
  the document prior again (or not), and kept ahead of the rest. Written from docs/ARTIFACT.md and
  the description in docs/EVALUATION.md, not from the Swift code.

Outside the choice rule, a learned fusion: a logistic model over all of the signals above, trained
on the chunks of one half's questions (those overlapping the gold section against the rest of
policyd's first 60) and scored on the other half, both ways round. And the re-ranking headroom: how
often the gold section is among policyd's first k passages at all.
"""
import re
import glob
import hashlib
import importlib.util
import json
import math
import os
import sys
from collections import Counter

import numpy as np
from sentence_transformers import SentenceTransformer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import search_terms  # noqa: E402

DEPTH = 100  # candidates per list before fusion, as Retriever.candidateDepth
K1, B = 1.2, 0.75


def load_reader():
    spec = importlib.util.spec_from_file_location("read_artifact", os.path.join(HERE, "..", "..", "golden", "read_artifact.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def half(question_id):
    """Fixed in advance: A when the first byte of SHA-256(id) is even."""
    return "A" if hashlib.sha256(question_id.encode()).digest()[0] % 2 == 0 else "B"


class Study:
    def __init__(self, artifact, folder, model_folder):
        reader = load_reader().Reader(open(artifact, "rb").read())
        result = reader.read()
        self.documents, self.chunks = result["documents"], result["chunks"]
        self.count = len(self.chunks)
        self.vectors = np.array(result["vectors"], dtype=np.float32)
        self.placement = [(c["document_index"], c["outline_index"]) for c in self.chunks]
        self.document_of = np.array([c["document_index"] for c in self.chunks])
        questions = [json.loads(line) for path in sorted(glob.glob(os.path.join(folder, "*.jsonl"))) for line in open(path) if line.strip()]
        self.questions = [q for q in questions if q.get("answerable", True) and q.get("document")]
        model = SentenceTransformer(model_folder, device="cpu")
        self.query_vectors = model.encode([q["question"] for q in self.questions], normalize_embeddings=True)
        # Heading paths of every outline entry, and which entries each chunk covers (its own, and
        # every entry that starts inside its source text: merged small subsections).
        self.heading_rows = {}
        paths = []
        for d, document in enumerate(self.documents):
            for o, entry in enumerate(document["outline"]):
                self.heading_rows[(d, o)] = len(paths)
                paths.append(" > ".join(entry["heading_path"]))
        self.heading_vectors = model.encode(paths, normalize_embeddings=True)
        self.owner_row = np.array([self.heading_rows[p] for p in self.placement])
        self.covered_rows = []
        for c in self.chunks:
            start, end = c["source_character_range"]
            entries = {c["outline_index"]} | {o for o, e in enumerate(self.documents[c["document_index"]]["outline"])
                                              if start <= e["source_character_start"] < end}
            self.covered_rows.append([self.heading_rows[(c["document_index"], o)] for o in sorted(entries)])
        # Term bags: the heading path line and the text, tokenized separately (together they are
        # exactly what the compiler indexed; checked below against the artifact's lexicon).
        self.heading_terms, self.body_terms = [], []
        for c in self.chunks:
            path = self.documents[c["document_index"]]["outline"][c["outline_index"]]["heading_path"]
            self.heading_terms.append(search_terms.terms(" > ".join(path)))
            self.body_terms.append(search_terms.terms(c["text"]))
        lengths = Counter()
        for term, postings in reader.lexicon_terms.items():
            for chunk, count in postings:
                lengths[chunk] += count
        mismatches = sum(1 for i in range(self.count) if lengths[i] != len(self.heading_terms[i]) + len(self.body_terms[i]))
        if mismatches:
            sys.exit("the Python tokenizer port disagrees with the artifact's lexicon on %d chunks; fix search_terms.py first" % mismatches)
        self.dense = [self.vectors @ v for v in self.query_vectors]
        # Sentences: the chunk text cut after . ! ? or at line ends, each kept with its chunk's
        # heading path line in front, as the compiler embeds the chunk.
        sentence_texts, self.sentence_chunk = [], []
        for chunk, c in enumerate(self.chunks):
            path = " > ".join(self.documents[c["document_index"]]["outline"][c["outline_index"]]["heading_path"])
            for sentence in re.split(r"(?<=[.!?])\s+|\n+", c["text"]):
                if len(sentence.split()) >= 3:
                    sentence_texts.append(path + "\n" + sentence.strip())
                    self.sentence_chunk.append(chunk)
        self.sentence_chunk = np.array(self.sentence_chunk)
        sentence_vectors = model.encode(sentence_texts, normalize_embeddings=True, batch_size=64)
        print("sentences: %d in %d chunks" % (len(sentence_texts), len(set(self.sentence_chunk.tolist()))), file=sys.stderr)
        self.sentence_best = []
        for v in self.query_vectors:
            cosines = sentence_vectors @ v
            best = np.full(self.count, -1.0, dtype=np.float32)
            np.maximum.at(best, self.sentence_chunk, cosines)
            # A chunk without a sentence of three words keeps its own cosine.
            self.sentence_best.append(np.where(best > -1, best, self.vectors @ v))
        self.query_terms = [search_terms.terms(q["question"]) for q in self.questions]
        # Token signatures: the artifact's (chunks), and the questions' from the model's token
        # states without [CLS] and [SEP], bit j of word w set when component 64w + j is above zero.
        self.signatures = reader.token_signatures
        self.question_pieces, self.question_words = [], []
        if self.signatures is not None:
            states = model.encode([q["question"] for q in self.questions], output_value="token_embeddings")
            for q, state in zip(self.questions, states):
                pieces = model.tokenizer(q["question"], truncation=True, max_length=256)["input_ids"][1:-1]
                bits = np.packbits(state.numpy()[1:-1] > 0, axis=1, bitorder="little")
                self.question_pieces.append(np.array(pieces, dtype=np.int64))
                self.question_words.append(bits.view("<u8").reshape(len(pieces), -1))
        self.bm25_by_heading_weight = {w: self.bm25_all(w) for w in (1, 2, 3)}

    # Signals

    def bm25_all(self, heading_weight):
        bags = []
        for heading, body in zip(self.heading_terms, self.body_terms):
            bag = Counter()
            for term in heading:
                bag[term] += heading_weight
            for term in body:
                bag[term] += 1
            bags.append(bag)
        lengths = np.array([sum(b.values()) for b in bags], dtype=np.float64)
        average = lengths.mean()
        postings = {}
        for chunk, bag in enumerate(bags):
            for term, count in bag.items():
                postings.setdefault(term, []).append((chunk, count))
        out = []
        for terms in self.query_terms:
            scores = np.zeros(self.count)
            for term in terms:
                if term not in postings:
                    continue
                p = postings[term]
                idf = math.log(1 + (self.count - len(p) + 0.5) / (len(p) + 0.5))
                for chunk, tf in p:
                    scores[chunk] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[chunk] / average))
            out.append(scores)
        return out

    def heading_signal(self, i, covered):
        cosines = self.heading_vectors @ self.query_vectors[i]
        if not covered:
            return cosines[self.owner_row]
        return np.array([max(cosines[r] for r in rows) for rows in self.covered_rows])

    def feedback_dense(self, i, alpha, k=3):
        best = np.argsort(-self.dense[i], kind="stable")[:k]
        vector = self.query_vectors[i] + alpha * self.vectors[best].mean(axis=0)
        return self.vectors @ (vector / np.linalg.norm(vector))

    def late_interaction_scores(self, i, chunks):
        """Each chunk's score: sum over question tokens t of idf_t * max over the chunk's tokens u of
        (1 - 2 * hamming(t, u) / dimension), divided by the sum of idf_t; -1 for a chunk of no tokens."""
        table = self.signatures
        frequencies = table["document_frequencies"]
        pieces = self.question_pieces[i]
        df = np.array([frequencies[p] if 0 <= p < len(frequencies) else 0 for p in pieces], dtype=np.float64)
        weights = np.log(1 + (self.count - df + 0.5) / (df + 0.5))
        question = self.question_words[i]
        out = []
        for chunk in chunks:
            start, end = int(table["token_starts"][chunk]), int(table["token_starts"][chunk + 1])
            if end == start or len(pieces) == 0:
                out.append(-1.0 if end == start else 0.0)
                continue
            words = table["signatures"][start:end]
            distance = np.bitwise_count(question[:, None, :] ^ words[None, :, :]).sum(axis=2)
            best = 1 - 2 * distance.min(axis=1) / table["dimension"]
            out.append(float((weights * best).sum() / weights.sum()) if weights.sum() > 0 else 0.0)
        return np.array(out)

    def late_interaction(self, i, scores, depth, beta):
        """The first `depth` chunks of `scores` re-ordered by their late-interaction score, min-max
        scaled over them, plus beta times their document's strength among them (Retriever's prior
        over that list), placed above every other chunk; the others keep their order."""
        order = np.argsort(-scores, kind="stable")[:depth]
        raw = self.late_interaction_scores(i, order)
        low, high = raw.min(), raw.max()
        scaled = (raw - low) / (high - low) if high > low else np.ones(len(raw))
        final = scaled.copy()
        if beta > 0:
            for d in np.unique(self.document_of[order]):
                members = self.document_of[order] == d
                denominator = min(3, int(np.sum(self.document_of == d)))
                final[members] = scaled[members] + beta * np.sort(scaled[members])[::-1][:3].sum() / denominator
        out = scores.copy()
        out[order] = final + np.max(np.where(np.isfinite(scores), scores, -1e9)) + 10
        return out

    # Scaling and fusion (Retriever's rules: each list's DEPTH best; BM25 lists only matching chunks)

    def candidates(self, scores, lexical):
        order = np.argsort(-scores, kind="stable")[:DEPTH]
        return order[scores[order] > 0] if lexical else order

    def min_max(self, scores, lexical=False):
        top, out = self.candidates(scores, lexical), np.zeros(self.count)
        if len(top):
            low, high = scores[top].min(), scores[top].max()
            out[top] = (scores[top] - low) / (high - low) if high > low else 1
        return out

    def z_score(self, scores, lexical=False):
        top, out = self.candidates(scores, lexical), np.zeros(self.count)
        if len(top) > 1:
            mean, deviation = scores[top].mean(), scores[top].std() + 1e-9
            floor = (scores[top].min() - mean) / deviation
            out[:] = floor
            out[top] = (scores[top] - mean) / deviation
        return out

    def rrf(self, lists):
        out = np.zeros(self.count)
        for scores, lexical in lists:
            for position, chunk in enumerate(self.candidates(scores, lexical)):
                out[chunk] += 1 / (60 + position + 1)
        return out

    def document_prior(self, scores, beta):
        """Retriever's rule: each fused candidate (score > 0) gains beta times the mean of its
        document's best min(3, chunk count) candidate scores (missing ones count 0); other chunks
        stay out of the ranking."""
        out = np.full(self.count, -np.inf)
        for d in np.unique(self.document_of):
            members = np.where((self.document_of == d) & (scores > 0))[0]
            if len(members):
                denominator = min(3, int(np.sum(self.document_of == d)))
                out[members] = scores[members] + beta * np.sort(scores[members])[::-1][:3].sum() / denominator
        return out

    # Ranking and metrics (policyc eval's passage merging and gold definitions)

    def passages(self, scores, depth=10):
        order = sorted(range(self.count), key=lambda c: (-scores[c], c))
        kept = []
        for chunk in order:
            for passage in kept:
                if passage["section"] == self.placement[chunk] and (min(passage["chunks"]) - 1 == chunk or max(passage["chunks"]) + 1 == chunk):
                    passage["chunks"].append(chunk)
                    break
            else:
                if len(kept) == depth:
                    break
                kept.append({"section": self.placement[chunk], "chunks": [chunk]})
        return kept

    def gold(self, i):
        """The gold document's index and the set of chunks whose source text overlaps the gold
        section (policyc eval's definition)."""
        question = self.questions[i]
        gold = next(d for d, doc in enumerate(self.documents) if doc["path"] == question["document"])
        entry = next((e for e in self.documents[gold]["outline"] if " > ".join(e["heading_path"]) == question["heading_path"]), None)
        chunks = {c for c, chunk in enumerate(self.chunks) if entry and chunk["document_index"] == gold
                  and chunk["source_character_range"][0] < entry["source_character_end"]
                  and entry["source_character_start"] < chunk["source_character_range"][1]}
        return gold, chunks

    def section_rank(self, i, passages):
        gold, relevant = self.gold(i)
        for position, passage in enumerate(passages, start=1):
            if relevant.intersection(passage["chunks"]):
                return position, gold
        return None, gold

    def ranks(self, score):
        return [self.section_rank(i, self.passages(score(i)))[0] for i in range(len(self.questions))]


def summary(ranks):
    n = len(ranks)
    recall = lambda k: sum(1 for r in ranks if r is not None and r <= k) / n
    return {"n": n, "recall_at1": recall(1), "recall_at3": recall(3), "recall_at5": recall(5), "recall_at10": recall(10),
            "mrr": sum(1 / r for r in ranks if r) / n}


def candidates(study):
    s = study
    bm25 = s.bm25_by_heading_weight[1]
    mm, z = s.min_max, s.z_score
    weighted = lambda i, w: w * mm(s.dense[i]) + (1 - w) * mm(bm25[i], True)
    out = [("dense", lambda i: s.dense[i]), ("lexical (BM25)", lambda i: bm25[i]),
           ("hybrid RRF k=60", lambda i: s.rrf([(s.dense[i], False), (bm25[i], True)]))]
    for w in (0.5, 0.6, 0.7, 0.8, 0.9):
        out.append(("hybrid weighted %.1f%s" % (w, " (before the document prior)" if w == 0.7 else ""), lambda i, w=w: weighted(i, w)))
    for w in (0.6, 0.7, 0.8):
        out.append(("hybrid z-score %.1f" % w, lambda i, w=w: w * z(s.dense[i]) + (1 - w) * z(bm25[i], True)))
    for covered in (False, True):
        for h in (0.1, 0.2, 0.3):
            name = "hybrid 0.7 + heading %s %.1f" % ("covered" if covered else "own", h)
            out.append((name, lambda i, h=h, c=covered: weighted(i, 0.7) + h * mm(s.heading_signal(i, c))))
    for hw in (2, 3):
        out.append(("hybrid 0.7, BM25F heading x%d" % hw,
                    lambda i, hw=hw: 0.7 * mm(s.dense[i]) + 0.3 * mm(s.bm25_by_heading_weight[hw][i], True)))
    for beta in (0.3, 0.5, 1.0):
        out.append(("hybrid 0.7 + document prior %.1f" % beta, lambda i, b=beta: s.document_prior(weighted(i, 0.7), b)))
    for alpha in (0.3, 0.6):
        out.append(("hybrid 0.7, dense feedback %.1f" % alpha,
                    lambda i, a=alpha: 0.7 * mm(s.feedback_dense(i, a)) + 0.3 * mm(bm25[i], True)))
    out.append(("dense, best sentence", lambda i: s.sentence_best[i]))
    out.append(("dense, max(chunk, best sentence)", lambda i: np.maximum(s.dense[i], s.sentence_best[i])))
    for w in (0.5, 0.7):
        out.append(("hybrid %.1f, best sentence for the chunk cosine" % w, lambda i, w=w: w * mm(s.sentence_best[i]) + (1 - w) * mm(bm25[i], True)))
    if s.signatures is not None:
        prior = lambda i: s.document_prior(weighted(i, 0.7), 0.5)
        for depth in (10, 20, 30, 40):
            out.append(("hybrid 0.7 + document prior 0.5 + late interaction %d" % depth,
                        lambda i, d=depth: s.late_interaction(i, prior(i), d, 0.5)))
        out.append(("hybrid 0.7 + document prior 0.5 + late interaction 20, no second prior",
                    lambda i: s.late_interaction(i, prior(i), 20, 0.0)))
    for share in (0.2, 0.35, 0.5):
        out.append(("hybrid 0.7 + best sentence %.2f of the dense share" % share,
                    lambda i, x=share: 0.7 * ((1 - x) * mm(s.dense[i]) + x * mm(s.sentence_best[i])) + 0.3 * mm(bm25[i], True)))
        out.append(("hybrid 0.7 + best sentence %.2f + document prior 0.5" % share,
                    lambda i, x=share: s.document_prior(0.7 * ((1 - x) * mm(s.dense[i]) + x * mm(s.sentence_best[i])) + 0.3 * mm(bm25[i], True), 0.5)))
    return out


def learned_fusion(study, halves, ranking):
    """A logistic model over every signal, trained on one half and scored on the other (both ways):
    whether a learned combination finds what the hand-written ones did not."""
    from sklearn.linear_model import LogisticRegression
    s, mm, bm25 = study, study.min_max, study.bm25_by_heading_weight[1]

    def features(i):
        base = 0.7 * mm(s.dense[i]) + 0.3 * mm(bm25[i], True)
        prior = s.document_prior(base, 1.0)
        return np.stack([mm(s.dense[i]), mm(bm25[i], True), mm(s.sentence_best[i]),
                         mm(s.heading_signal(i, False)), mm(s.heading_signal(i, True)),
                         s.dense[i], s.sentence_best[i], bm25[i] / (bm25[i].max() + 1e-9),
                         np.where(np.isfinite(prior), prior - base, 0)], axis=1)

    candidates = {i: np.argsort(-ranking(i), kind="stable")[:60] for i in range(len(s.questions))}
    rows = {i: features(i)[candidates[i]] for i in candidates}
    labels = {i: np.isin(candidates[i], list(s.gold(i)[1])).astype(int) for i in candidates}
    results = {}
    for trained, scored in (("A", "B"), ("B", "A")):
        train = [i for i in candidates if halves[i] == trained]
        model = LogisticRegression(max_iter=2000, class_weight="balanced").fit(
            np.concatenate([rows[i] for i in train]), np.concatenate([labels[i] for i in train]))

        def score(i):
            out = np.full(s.count, -1e9)
            out[candidates[i]] = model.decision_function(rows[i])
            return out
        ranks = [r for r, h in zip(s.ranks(score), halves) if h == scored]
        results["trained on %s, scored on %s" % (trained, scored)] = summary(ranks)
    return results


def main(artifact, folder, model_folder):
    study = Study(artifact, folder, model_folder)
    halves = [half(q["id"]) for q in study.questions]
    print("questions: %d answerable (half A %d, half B %d)" % (len(halves), halves.count("A"), halves.count("B")))
    rows = []
    for name, score in candidates(study):
        ranks = study.ranks(score)
        row = {"name": name, "all": summary(ranks)}
        for h in "AB":
            row[h] = summary([r for r, x in zip(ranks, halves) if x == h])
        rows.append(row)
        print("%-40s A R@5 %.3f MRR %.3f | B R@5 %.3f MRR %.3f | all R@1 %.3f R@5 %.3f R@10 %.3f MRR %.3f" % (
            name, row["A"]["recall_at5"], row["A"]["mrr"], row["B"]["recall_at5"], row["B"]["mrr"],
            row["all"]["recall_at1"], row["all"]["recall_at5"], row["all"]["recall_at10"], row["all"]["mrr"]))
    hybrids = [r for r in rows if r["name"].startswith("hybrid")]
    chosen = max(hybrids, key=lambda r: (r["A"]["recall_at5"], r["A"]["mrr"]))
    print("chosen on half A (R@5, then MRR): %s; on half B: R@5 %.3f MRR %.3f" % (chosen["name"], chosen["B"]["recall_at5"], chosen["B"]["mrr"]))

    # Where the misses of policyd's ranking (weighted 0.7 + document prior 0.5, then late
    # interaction over the first 20 chunks when the artifact has token signatures) come from.
    named = dict(candidates(study))
    ranking = named["hybrid 0.7 + document prior 0.5"]
    policyd = named.get("hybrid 0.7 + document prior 0.5 + late interaction 20", ranking)
    default = study.ranks(policyd)
    kinds = Counter()
    for i, rank in enumerate(default):
        if rank is not None and rank <= 5:
            continue
        passages = study.passages(policyd(i))
        gold = study.section_rank(i, passages)[1]
        first_document = study.placement[passages[0]["chunks"][0]][0]
        kinds["gold section ranked 6-10" if rank else "gold section not in the first 10"] += 1
        kinds["first passage from the gold document" if first_document == gold else "first passage from another document"] += 1
    print("misses at 5 (as policyd ranks): " + ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
    for i, rank in enumerate(default):
        if rank is None or rank > 5:
            print("  missed at 5: %s (rank %s)" % (study.questions[i]["id"], rank or "> 10"))

    # Headroom for a re-ranker: how often the gold section is among the fused ranking's first k
    # passages at all. A re-ranker that reorders the first k can raise recall@5 to that figure and
    # no further.
    deep = [study.section_rank(i, study.passages(ranking(i), depth=50))[0] for i in range(len(study.questions))]
    headroom = {k: sum(1 for r in deep if r is not None and r <= k) / len(deep) for k in (5, 10, 15, 20, 30, 50)}
    print("gold section within the fused ranking's first k passages: " + ", ".join("k=%d %.3f" % kv for kv in headroom.items()))
    learned = learned_fusion(study, halves, ranking)
    for name, figures in learned.items():
        print("learned fusion, %s: R@5 %.3f MRR %.3f" % (name, figures["recall_at5"], figures["mrr"]))
    print(json.dumps({"rows": rows, "chosen": chosen["name"], "misses_at5": dict(kinds), "recall_at_depth": headroom,
                      "learned_fusion": learned}))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
