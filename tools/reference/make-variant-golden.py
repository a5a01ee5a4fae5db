#!/usr/bin/env python3
"""Writes Tests/EmbeddingsTests/Fixtures/golden-variants.json: sentence-transformers' embeddings
for BERT models of other shapes than all-MiniLM-L6-v2, so the Swift encoder is checked on layer
counts and sizes it was not written against.

The models cannot be downloaded here (only PyPI is reachable, and no package carries them), so
they are derived, and ModelVariantTests derives the very same folders in Swift:

- "layers-3": all-MiniLM-L6-v2 with only its first 3 layers (the shape of paraphrase-MiniLM-L3-v2,
  the 3-layer model the original service used);
- "layers-12": all-MiniLM-L6-v2 with its 6 layers run twice (layer i + 6 = layer i), 12 layers;
- "random-24x3": a random BERT with hidden size 24, 3 heads of 8, 3 layers, intermediate size 40,
  and a 12-word vocabulary; its weights come from SplitMix64 with seed 42, drawn in the order of
  tinyModelFolder in Tests/EmbeddingsTests/TestFiles.swift, so Swift writes the identical file.

The folders are written under a scratch directory (never into the repository), then embedded by
sentence-transformers one text at a time.

Usage (inside the environment tools/reference/setup-venv creates):
    ~/.cache/policyqa/venv-reference/bin/python tools/reference/make-variant-golden.py [MODEL_DIR]
"""
import json
import os
import shutil
import sys
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import sentence_transformers  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors.numpy import load_file, save_file  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTPUT = os.path.join(ROOT, "Tests", "EmbeddingsTests", "Fixtures", "golden-variants.json")

REAL_TEXTS = [
    "",
    "vacation",
    "How many days can I work from abroad?",
    "Who approves expenses over $5,000?",
    "Can I contribute to my 401(k) while on unpaid leave?",
    "Le congé maternité est rémunéré à 100 %.",
    "我可以在国外工作多少天？",
    "Employees are entitled to 25 days of paid annual leave per calendar year, accrued monthly "
    "and prorated for part-time staff.",
    " ".join(["Sick leave must be reported to your manager before 9:00 a.m. on the first day."] * 20),
]

RANDOM_TEXTS = ["", "the policy", "leave days.", "the leaves?", "policy day day the . ? unknown words",
                " ".join(["the policy leaves"] * 8)]


def derived_layers(source_dir: str, target_dir: str, layer_sources: list[int]) -> None:
    """Copies the model folder with encoder layer i taken from source layer layer_sources[i]."""
    shutil.copytree(source_dir, target_dir, ignore=shutil.ignore_patterns("model.safetensors"))
    source = load_file(os.path.join(source_dir, "model.safetensors"))
    prefix = "encoder.layer."
    tensors = {name: value for name, value in source.items() if not name.startswith(prefix)}
    for index, source_index in enumerate(layer_sources):
        for name, value in source.items():
            if name.startswith(f"{prefix}{source_index}."):
                tensors[f"{prefix}{index}." + name[len(f"{prefix}{source_index}."):]] = value.copy()
    save_file(tensors, os.path.join(target_dir, "model.safetensors"))
    config_path = os.path.join(target_dir, "config.json")
    with open(config_path, encoding="utf-8") as file:
        config = json.load(file)
    config["num_hidden_layers"] = len(layer_sources)
    with open(config_path, "w", encoding="utf-8") as file:
        json.dump(config, file)


class SplitMix64:
    def __init__(self, seed: int) -> None:
        self.state = seed

    def next(self) -> int:
        mask = (1 << 64) - 1
        self.state = (self.state + 0x9E3779B97F4A7C15) & mask
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    def next_float(self) -> np.float32:
        return np.float32(self.next() >> 40) / np.float32(1 << 24)


def random_model(target_dir: str, hidden: int, heads: int, layers: int, intermediate: int) -> None:
    """The folder tinyModelFolder (TestFiles.swift) writes, with these sizes."""
    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "policy", "leave", "##s", "day", ".", "?"]
    positions = 32
    shapes = [
        ("embeddings.word_embeddings.weight", [len(vocabulary), hidden]),
        ("embeddings.position_embeddings.weight", [positions, hidden]),
        ("embeddings.token_type_embeddings.weight", [2, hidden]),
        ("embeddings.LayerNorm.weight", [hidden]), ("embeddings.LayerNorm.bias", [hidden]),
    ]
    for layer in range(layers):
        p = f"encoder.layer.{layer}."
        for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]:
            shapes += [(p + name + ".weight", [hidden, hidden]), (p + name + ".bias", [hidden])]
        shapes += [(p + "attention.output.LayerNorm.weight", [hidden]), (p + "attention.output.LayerNorm.bias", [hidden]),
                   (p + "intermediate.dense.weight", [intermediate, hidden]), (p + "intermediate.dense.bias", [intermediate]),
                   (p + "output.dense.weight", [hidden, intermediate]), (p + "output.dense.bias", [hidden]),
                   (p + "output.LayerNorm.weight", [hidden]), (p + "output.LayerNorm.bias", [hidden])]
    random = SplitMix64(42)
    tensors = {}
    for name, shape in shapes:
        count = int(np.prod(shape))
        if name.endswith("LayerNorm.weight"):
            values = np.ones(count, dtype=np.float32)
        else:
            values = np.array([random.next_float() * np.float32(0.2) - np.float32(0.1) for _ in range(count)],
                              dtype=np.float32)
        tensors[name] = values.reshape(shape)
    os.makedirs(os.path.join(target_dir, "1_Pooling"))
    save_file(tensors, os.path.join(target_dir, "model.safetensors"))
    with open(os.path.join(target_dir, "vocab.txt"), "w", encoding="utf-8") as file:
        file.write("\n".join(vocabulary) + "\n")
    config = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute",
              "hidden_size": hidden, "num_attention_heads": heads, "num_hidden_layers": layers,
              "intermediate_size": intermediate, "layer_norm_eps": 1e-12, "vocab_size": len(vocabulary),
              "max_position_embeddings": positions, "type_vocab_size": 2}
    with open(os.path.join(target_dir, "config.json"), "w", encoding="utf-8") as file:
        json.dump(config, file)
    with open(os.path.join(target_dir, "modules.json"), "w", encoding="utf-8") as file:
        json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                   {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                   {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
                  file)
    with open(os.path.join(target_dir, "sentence_bert_config.json"), "w", encoding="utf-8") as file:
        json.dump({"max_seq_length": 16, "do_lower_case": False}, file)
    with open(os.path.join(target_dir, "1_Pooling", "config.json"), "w", encoding="utf-8") as file:
        json.dump({"word_embedding_dimension": hidden, "pooling_mode_mean_tokens": True}, file)


def embed(folder: str, texts: list[str]) -> list[dict]:
    model = SentenceTransformer(folder, device="cpu")
    model.eval()
    samples = []
    for text in texts:
        ids = model.tokenize([text])["input_ids"][0].tolist()
        with torch.no_grad():
            vector = model.encode([text], convert_to_numpy=True, normalize_embeddings=False, batch_size=1)[0]
        samples.append({"text": text, "tokenIDs": ids, "embedding": [float(x) for x in vector.tolist()]})
    return samples


def main() -> None:
    model_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
    torch.manual_seed(0)
    torch.set_num_threads(1)
    variants = []
    with tempfile.TemporaryDirectory(prefix="policyqa-variants-") as scratch:
        plans = [
            ("layers-3", lambda d: derived_layers(model_dir, d, [0, 1, 2]), REAL_TEXTS),
            ("layers-12", lambda d: derived_layers(model_dir, d, list(range(6)) * 2), REAL_TEXTS),
            ("random-24x3", lambda d: random_model(d, hidden=24, heads=3, layers=3, intermediate=40), RANDOM_TEXTS),
        ]
        for name, build, texts in plans:
            folder = os.path.join(scratch, name)
            build(folder)
            variants.append({"name": name, "samples": embed(folder, texts)})
            print(f"{name}: {len(texts)} texts", file=sys.stderr)
    fixture = {
        "generator": "tools/reference/make-variant-golden.py",
        "versions": {"sentence-transformers": sentence_transformers.__version__,
                     "transformers": transformers.__version__, "torch": torch.__version__},
        "variants": variants,
    }
    with open(OUTPUT, "w", encoding="utf-8") as out:
        json.dump(fixture, out, ensure_ascii=False)
        out.write("\n")
    print(f"wrote {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
