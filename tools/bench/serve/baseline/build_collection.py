#!/usr/bin/env python3
"""The baseline's ingest step: puts the chunks of a `.pidx` artifact into a persistent ChromaDB
collection (cosine space), with their IDs, texts, metadata and the artifact's own vectors, so the
baseline searches exactly the vectors policyd searches. The original Python system did this once,
offline, and its web app opened the persisted collection on the first question; so does app.py.

Usage: build_collection.py ARTIFACT.pidx CHROMA_DIR
Reads the artifact with tools/golden/read_artifact.py (the independent Python reader) and writes
CHROMA_DIR/ (ChromaDB's files) plus CHROMA_DIR/artifact.json (digest, counts) for /ready.
Runs in the environment baseline/setup-venv makes (chromadb, numpy, lz4, xxhash).
"""
import importlib.util
import json
import os
import re
import sys
import unicodedata

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

COLLECTION = "policies"


def load_reader():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "..", "golden", "read_artifact.py")
    spec = importlib.util.spec_from_file_location("read_artifact", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def slug(heading):
    """policyd's SectionAnchor.slug: lower case, letters and digits kept, runs of others as one '-'."""
    out, pending = [], False
    for ch in heading.lower():
        if ch.isalpha() or unicodedata.numeric(ch, None) is not None:
            if pending and out:
                out.append("-")
            pending = False
            out.append(ch)
        else:
            pending = True
    return "".join(out) or "section"


def anchors(outline):
    seen, result = {}, []
    for entry in outline:
        base = slug(entry["heading_path"][-1] if entry["heading_path"] else "section")
        seen[base] = seen.get(base, 0) + 1
        result.append(base if seen[base] == 1 else "%s-%d" % (base, seen[base]))
    return result


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    artifact_path, chroma_dir = argv[1], argv[2]
    reader = load_reader()
    with open(artifact_path, "rb") as f:
        artifact = reader.Reader(f.read()).read()
    if artifact["problems"]:
        print("build_collection.py: the artifact has problems: %s" % artifact["problems"][:3], file=sys.stderr)
        return 1
    documents = artifact["documents"]
    document_anchors = [anchors(d["outline"]) for d in documents]
    ids, texts, metadatas, embeddings = [], [], [], []
    for chunk, vector in zip(artifact["chunks"], artifact["vectors"]):
        document = documents[chunk["document_index"]]
        outline = chunk["outline_index"]
        heading_path = document["outline"][outline]["heading_path"] if outline is not None else []
        url = "/v1/documents/%d" % chunk["document_index"]
        if outline is not None:
            url += "#" + document_anchors[chunk["document_index"]][outline]
        ids.append(chunk["id"])
        texts.append(chunk["text"])
        embeddings.append([float(x) for x in vector])
        metadatas.append({
            "document_index": chunk["document_index"], "document_path": document["path"],
            "document_title": document["title"], "heading_path": json.dumps(heading_path, ensure_ascii=False),
            "source_start": chunk["source_character_range"][0], "source_end": chunk["source_character_range"][1],
            "url": url,
        })

    import chromadb
    from chromadb.config import Settings
    client = chromadb.PersistentClient(path=chroma_dir, settings=Settings(anonymized_telemetry=False))
    try:
        client.delete_collection(COLLECTION)
    except Exception:
        pass
    collection = client.create_collection(COLLECTION, metadata={"hnsw:space": "cosine"}, embedding_function=None)
    collection.add(ids=ids, documents=texts, metadatas=metadatas, embeddings=embeddings)
    with open(os.path.join(chroma_dir, "artifact.json"), "w") as f:
        json.dump({"digest": artifact["sha256"], "chunk_count": len(ids),
                   "document_count": len(documents), "model": artifact["manifest"]["model"]}, f)
    print("build_collection.py: %d chunks from %d documents into %s" % (collection.count(), len(documents), chroma_dir),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
