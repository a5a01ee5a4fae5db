#!/usr/bin/env python3
"""Estimates, before any kernel is written, how close reduced-precision products keep MiniLM-L6's
sentence vectors to the reference: a plain NumPy BERT (Float64 everywhere else) whose linear
layers compute in the chosen precision, scored by cosine against the golden fixture's vectors.

Modes: f32 (the weights as stored), bf16 (weights and inputs rounded to bfloat16, nearest even:
what the AVX512_BF16 kernel does), i8 (symmetric int8 weights per output row and inputs per
token, what a VNNI kernel would do), and i8-qkv, i8-attention, i8-ffn-up, i8-ffn-down (int8 for
that group of layers only, bfloat16 for the rest). Prints each mode's lowest cosine and its text.
Texts over 64 tokens are skipped unless "long" is given (slow: erf per element in Python).

Usage (NumPy only, e.g. ~/.cache/policyqa/venv-spec):
    python tools/reference/simulate-reduced-precision.py models/all-MiniLM-L6-v2 \
        Tests/EmbeddingsTests/Fixtures/golden-embeddings.json f32 bf16 i8
Measured (docs/decisions/0003-bfloat16-question-kernel.md): bf16 0.9999661, i8 0.9857216;
i8-qkv 0.9901595, i8-attention 0.9894030, i8-ffn-up 0.9949154, i8-ffn-down 0.9961199.
"""
import json
import struct
import sys
from math import erf

import numpy as np


def load_tensors(model_dir):
    raw = open(model_dir + "/model.safetensors", "rb").read()
    header_size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + header_size])
    base = 8 + header_size
    return {name: np.frombuffer(raw[base + info["data_offsets"][0]: base + info["data_offsets"][1]], dtype=np.float32).reshape(info["shape"])
            for name, info in header.items() if name != "__metadata__" and info["dtype"] == "F32"}


def bfloat16(values):
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)


# Layer groups for mixed modes ("i8-qkv" and so on: int8 for that group, bfloat16 elsewhere).
GROUPS = {
    "qkv": lambda name: name.rsplit(".", 1)[-1] in ("query", "key", "value"),
    "attention": lambda name: ".attention." in name,
    "ffn-up": lambda name: name.endswith("intermediate.dense"),
    "ffn-down": lambda name: name.endswith(".output.dense") and ".attention." not in name,
}


def make_linear(weights, mode):
    quantized = {}
    if mode.startswith("i8-"):
        group = GROUPS[mode[3:]]
        int8, bf16 = make_linear(weights, "i8"), make_linear(weights, "bf16")
        return lambda x, name: (int8 if group(name) else bf16)(x, name)

    def linear(x, name):
        w, b = weights[name + ".weight"], weights[name + ".bias"]
        if mode == "f32":
            return x @ w.T + b
        if mode == "bf16":
            return bfloat16(x) @ bfloat16(w).T + b
        if mode == "i8":
            if name not in quantized:
                scale = np.abs(w).max(axis=1) / 127.0
                quantized[name] = (np.round(w / scale[:, None]).clip(-127, 127), scale)
            wq, w_scale = quantized[name]
            x_scale = np.abs(x).max(axis=1) / 127.0
            xq = np.round(x / x_scale[:, None]).clip(-127, 127)
            return (xq @ wq.T) * x_scale[:, None] * w_scale[None, :] + b
        raise SystemExit(f"unknown mode {mode}")
    return linear


def layer_norm(x, gamma, beta, epsilon=1e-12):
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + epsilon) * gamma + beta


def embed(ids, weights, linear, layers=6, heads=12):
    p = "" if "embeddings.word_embeddings.weight" in weights else "bert."
    ids = np.array(ids)
    h = (weights[p + "embeddings.word_embeddings.weight"][ids] + weights[p + "embeddings.position_embeddings.weight"][:len(ids)]
         + weights[p + "embeddings.token_type_embeddings.weight"][0])
    h = layer_norm(h, weights[p + "embeddings.LayerNorm.weight"], weights[p + "embeddings.LayerNorm.bias"]).astype(np.float64)
    gelu = np.vectorize(lambda v: 0.5 * v * (1 + erf(v / np.sqrt(2))))
    width = h.shape[1] // heads
    for index in range(layers):
        q_ = p + f"encoder.layer.{index}."
        q, k, v = (linear(h, q_ + "attention.self." + n) for n in ("query", "key", "value"))
        context = np.zeros_like(h)
        for head in range(heads):
            c = slice(head * width, (head + 1) * width)
            scores = q[:, c] @ k[:, c].T / np.sqrt(width)
            scores = np.exp(scores - scores.max(1, keepdims=True))
            context[:, c] = (scores / scores.sum(1, keepdims=True)) @ v[:, c]
        h = layer_norm(linear(context, q_ + "attention.output.dense") + h,
                       weights[q_ + "attention.output.LayerNorm.weight"], weights[q_ + "attention.output.LayerNorm.bias"])
        inner = gelu(linear(h, q_ + "intermediate.dense"))
        h = layer_norm(linear(inner, q_ + "output.dense") + h, weights[q_ + "output.LayerNorm.weight"], weights[q_ + "output.LayerNorm.bias"])
    pooled = h.mean(0)
    return pooled / np.linalg.norm(pooled)


def main():
    model_dir, fixture, modes = sys.argv[1], sys.argv[2], [m for m in sys.argv[3:] if m != "long"]
    weights = load_tensors(model_dir)
    samples = json.load(open(fixture))["samples"]
    for mode in modes:
        linear = make_linear(weights, mode)
        worst = (2.0, "")
        for sample in samples:
            if len(sample["tokenIDs"]) > 64 and "long" not in sys.argv:
                continue
            reference = np.array(sample["embedding"])
            similarity = float(embed(sample["tokenIDs"], weights, linear) @ reference / np.linalg.norm(reference))
            worst = min(worst, (similarity, sample["name"]))
        print(f"{mode}: lowest cosine {worst[0]:.7f} ({worst[1]})", flush=True)


if __name__ == "__main__":
    main()
