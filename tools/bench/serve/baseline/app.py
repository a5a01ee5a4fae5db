"""The serving baseline: the Python system policyd replaces, rebuilt for the benchmark.

A Flask app factory, served by gunicorn (1 worker, 2 threads, gthread) as on the original host.
Like the original, it loads nothing at start: the first search loads the embedding model and opens
the persisted ChromaDB collection (made by build_collection.py from the same artifact policyd maps,
so both search the same chunks and vectors). Endpoints and JSON shapes follow policyd's:
GET /health, GET /ready, POST /v1/search {"query": "...", "k": 5}.

Environment:
  POLICYQA_BASELINE_EMBEDDER  st (sentence-transformers, PyTorch; default) or onnx (ONNX Runtime)
  POLICYQA_BASELINE_CHROMA    the folder build_collection.py wrote
  POLICYQA_BASELINE_MODEL     the sentence-transformers model folder (models/all-MiniLM-L6-v2)
  POLICYQA_ONNX_MODEL         the ONNX export, for EMBEDDER=onnx
Run: gunicorn --workers 1 --threads 2 --worker-class gthread 'app:create_app()'
"""
import json
import os
import threading
import time

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from flask import Flask, jsonify, request  # noqa: E402

VERSION = "baseline-1"
MAX_QUERY_CHARACTERS = 2000
K_RANGE = (1, 50)
DEFAULT_K = 5
MAX_SEQUENCE_TOKENS = 256  # sentence_bert_config.json's max_seq_length, what sentence-transformers uses


class SentenceTransformersEmbedder:
    name = "sentence-transformers"

    def __init__(self, model_dir):
        from sentence_transformers import SentenceTransformer
        self.model = SentenceTransformer(model_dir, device="cpu")

    def embed(self, text):
        return self.model.encode([text], convert_to_numpy=True, normalize_embeddings=True)[0]


class OnnxEmbedder:
    """The same tokenizer (WordPiece from vocab.txt, lower case, 256 tokens), mean pooling, L2 norm."""
    name = "onnxruntime"

    def __init__(self, model_dir, onnx_path):
        import numpy as np
        import onnxruntime
        from tokenizers import BertWordPieceTokenizer
        self.np = np
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
        self.tokenizer = BertWordPieceTokenizer(os.path.join(model_dir, "vocab.txt"), lowercase=True)
        self.tokenizer.enable_truncation(MAX_SEQUENCE_TOKENS)

    def embed(self, text):
        np = self.np
        encoding = self.tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        mask = np.array([encoding.attention_mask], dtype=np.int64)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))[0]


class SearchState:
    """Everything the first search loads, once, under a lock (two gunicorn threads may race)."""

    def __init__(self, embedder_kind, chroma_dir, model_dir, onnx_path):
        self.embedder_kind, self.chroma_dir, self.model_dir, self.onnx_path = embedder_kind, chroma_dir, model_dir, onnx_path
        self.lock = threading.Lock()
        self.embedder = None
        self.collection = None
        with open(os.path.join(chroma_dir, "artifact.json")) as f:
            self.artifact = json.load(f)

    @property
    def model_state(self):
        return "loaded" if self.collection is not None else "not_requested"

    def load(self):
        if self.collection is not None:
            return
        with self.lock:
            if self.collection is not None:
                return
            if self.embedder_kind == "onnx":
                embedder = OnnxEmbedder(self.model_dir, self.onnx_path)
            else:
                embedder = SentenceTransformersEmbedder(self.model_dir)
            import chromadb
            from chromadb.config import Settings
            client = chromadb.PersistentClient(path=self.chroma_dir, settings=Settings(anonymized_telemetry=False))
            collection = client.get_collection("policies", embedding_function=None)
            self.embedder = embedder
            self.collection = collection


def error(status, code, message):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def create_app():
    app = Flask(__name__)
    app.json.sort_keys = False
    started = time.monotonic()
    state = SearchState(
        os.environ.get("POLICYQA_BASELINE_EMBEDDER", "st"),
        os.environ["POLICYQA_BASELINE_CHROMA"],
        os.environ["POLICYQA_BASELINE_MODEL"],
        os.environ.get("POLICYQA_ONNX_MODEL", ""),
    )

    @app.get("/health")
    def health():
        return jsonify({"status": "ok", "version": VERSION, "uptime_seconds": time.monotonic() - started})

    @app.get("/ready")
    def ready():
        return jsonify({"status": "ready", "artifact_digest": state.artifact["digest"],
                        "chunk_count": state.artifact["chunk_count"], "reload_generation": 1,
                        "model": state.model_state})

    @app.post("/v1/search")
    def search():
        begin = time.perf_counter()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return error(400, "invalid_json", "the body must be a JSON object")
        query = body.get("query")
        if not isinstance(query, str):
            return error(400, "invalid_request", "'query' is required and must be a string")
        query = query.strip()
        if not query:
            return error(400, "empty_query", "the query is empty")
        if len(query) > MAX_QUERY_CHARACTERS:
            return error(400, "query_too_long", "the query has more than %d characters" % MAX_QUERY_CHARACTERS)
        k = body.get("k", DEFAULT_K)
        if not isinstance(k, int) or isinstance(k, bool) or not K_RANGE[0] <= k <= K_RANGE[1]:
            return error(400, "invalid_k", "'k' must be an integer from %d to %d" % K_RANGE)

        state.load()
        embed_start = time.perf_counter()
        vector = state.embedder.embed(query)
        search_start = time.perf_counter()
        found = state.collection.query(query_embeddings=[vector.tolist()], n_results=k,
                                       include=["documents", "metadatas", "distances"])
        results = []
        for rank, (chunk_id, text, meta, distance) in enumerate(zip(
                found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0])):
            heading_path = json.loads(meta["heading_path"])
            results.append({
                "rank": rank + 1, "chunk_id": chunk_id, "score": 1.0 - float(distance),
                "document": {"index": meta["document_index"], "path": meta["document_path"], "title": meta["document_title"]},
                "heading_path": heading_path, "heading_path_text": " > ".join(heading_path), "text": text,
                "source_character_range": [meta["source_start"], meta["source_end"]], "url": meta["url"],
            })
        end = time.perf_counter()
        return jsonify({
            "results": results, "k": k, "embedding_cached": False,
            "timings_ms": {"embed": (search_start - embed_start) * 1000, "search": (end - search_start) * 1000,
                           "total": (end - begin) * 1000},
            "artifact_digest": state.artifact["digest"], "reload_generation": 1,
        })

    return app
