#!/usr/bin/env python3
"""An independent reader of the policy index artifact (`.pidx`, format 1.x).

Written from docs/ARTIFACT.md alone (not from Sources/IndexFormat/) to check that the page is a
complete specification: if this reader and `policy-verify` agree on every file, the page says
enough. It checks what the page says a reader checks, collects every problem it can find (each
naming the rule and the byte offset), and prints one JSON object:

  {"format_version", "byte_count", "sha256", "sections": [...], "manifest", "documents",
   "chunks": [...], "vectors": [[...]], "problems": [...], "token_signatures"}

plus "lexicon" (a summary) when the file has one. "token_signatures" is a summary of the kind-7
section (format 1.2: chunk_count, dimension, words_per_token, vocabulary_size, token_count), null
when the file has none or its prelude or size is refused.

Other scripts import this file and call `reader = Reader(data); result = reader.read()`; besides the
result they may use `reader.lexicon_terms` (term -> [(chunk, count)], set when the file has a lexicon) and
`reader.token_signatures` (None without a valid kind-7 section; else a dict of "dimension",
"words_per_token", "vocabulary_size", "token_count", "document_frequencies" (uint32[vocabulary_size]),
"token_starts" (uint64[chunk_count + 1]) and "signatures" (uint64[token_count, words_per_token]):
chunk i's signatures are signatures[token_starts[i]:token_starts[i + 1]]; the arrays are views of
the data given to Reader, not copies, so read-only when it is bytes).

Exit status: 0 valid, 1 invalid (problems listed), 2 usage error or unreadable file.

Needs the PyPI packages `lz4`, `xxhash` and `numpy`; tools/golden/check-spec.sh makes a throw-away
virtual environment with them outside the repository and runs this file.

Where the page is silent, this reader does what `policy-verify` was seen to do:
- the kind table's codec column is enforced for vectors, chunk-table (raw) and chunk-text (lz4);
  manifest and documents are read with either codec;
- the block index of every lz4-blocks section is checked and its blocks decoded, unknown kinds too;
- the JSON sections must have every key of the page's examples, with the example's type;
  a repeated key keeps its first value; a leading byte order mark is skipped;
- zero padding and "zero" prelude/record fields are not checked unless --strict;
- token-signatures (kind 7) problems found at open time (chunk_count, dimension, words_per_token,
  vocabulary_size, the size equation) stop the section's full verification, which is then skipped.
It differs on purpose in one place: it reads every chunk's text, so it refuses text that is not
UTF-8 ("The text of a chunk MUST be valid UTF-8"); policy-verify does not check that.
"""
import hashlib
import json
import math
import struct
import sys

import lz4.block
import numpy as np
import xxhash

MAGIC = b"\x89PIDX\r\n\x1a"
TRAILER_MAGIC = b"PIDXEND\n"
HEADER_SIZE = 64
ENTRY_SIZE = 64
TRAILER_SIZE = 40
KNOWN_MAJOR = 1

KIND_MANIFEST, KIND_VECTORS, KIND_CHUNK_TABLE, KIND_CHUNK_TEXT, KIND_DOCUMENTS, KIND_LEXICON = 1, 2, 3, 4, 5, 6
KIND_TOKEN_SIGNATURES = 7
KIND_NAMES = {1: "manifest", 2: "vectors", 3: "chunk-table", 4: "chunk-text", 5: "documents", 6: "lexicon",
              7: "token-signatures"}
REQUIRED_KINDS = (1, 2, 3, 4, 5)
CODEC_RAW, CODEC_LZ4 = 0, 1
CODEC_NAMES = {0: "raw", 1: "lz4-blocks"}
# The "codec" column of the kind table. The page does not say whether a reader enforces it; the
# sections read in place or through their block index (vectors, chunk table, chunk text) need theirs,
# the JSON sections (manifest, documents) are decoded whole and are read with either codec, as
# `policy-verify` does. Kind 6 (lexicon) is "any"; kind 7 (token signatures, 1.2) "MUST be raw".
EXPECTED_CODEC = {2: CODEC_RAW, 3: CODEC_RAW, 4: CODEC_LZ4, 7: CODEC_RAW}
JSON_KINDS = (KIND_MANIFEST, KIND_DOCUMENTS)

MAX_SECTIONS = 1024
MAX_RAW_BYTE_COUNT = 1 << 40
MAX_BLOCK_RAW_BYTE_COUNT = 4 * 1024 * 1024
MAX_WHOLE_DECODE = 256 * 1024 * 1024
VECTORS_PRELUDE = 64
CHUNK_TABLE_PRELUDE = 16
TOKEN_SIGNATURES_PRELUDE = 64
MIN_RECORD_BYTE_COUNT = 48
NO_OUTLINE = 0xFFFFFFFF
NORM_TOLERANCE = 0.001


# What the JSON sections hold. The page gives examples, not a schema: every key of the examples is
# taken as required with the type its example value has (metadata: any string keys, string values),
# and keys not listed are ignored ("Readers MUST ignore keys they do not know").
INTEGER, STRING = "integer", "string"
MANIFEST_SCHEMA = {
    "chunking": {"maximum_token_count": INTEGER, "overlap_token_count": INTEGER, "target_token_count": INTEGER},
    "compiler": {"name": STRING, "version": STRING},
    "model": {"dimension": INTEGER, "fingerprint": STRING, "name": STRING},
    "sources": [{"byte_count": INTEGER, "path": STRING, "sha256": STRING}],
}
DOCUMENTS_SCHEMA = [{
    "metadata": ("map", STRING),
    "outline": [{"heading_path": [STRING], "level": INTEGER,
                 "source_character_end": INTEGER, "source_character_start": INTEGER}],
    "path": STRING, "sha256": STRING, "title": STRING,
}]


def schema_errors(value, schema, path):
    """Where value does not have the shape schema describes, as 'path: what' strings."""
    if schema == INTEGER:
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())
        return [] if ok else ["%s: expected an integer, found %s" % (path or "$", json.dumps(value)[:40])]
    if schema == STRING:
        return [] if isinstance(value, str) else ["%s: expected a string, found %s" % (path or "$", json.dumps(value)[:40])]
    if isinstance(schema, tuple):  # ("map", element)
        if not isinstance(value, dict):
            return ["%s: expected an object" % (path or "$")]
        return [e for k, v in value.items() for e in schema_errors(v, schema[1], "%s.%s" % (path, k))]
    if isinstance(schema, list):
        if not isinstance(value, list):
            return ["%s: expected an array" % (path or "$")]
        return [e for i, v in enumerate(value) for e in schema_errors(v, schema[0], "%s[%d]" % (path, i))]
    if not isinstance(value, dict):
        return ["%s: expected an object" % (path or "$")]
    errors = []
    for key, sub in schema.items():
        where = "%s.%s" % (path, key) if path else key
        if key not in value:
            errors.append("%s: missing" % where)
        else:
            errors.extend(schema_errors(value[key], sub, where))
    return errors


def align64(x):
    return (x + 63) // 64 * 64


def xxh64(data):
    return xxhash.xxh64_intdigest(bytes(data), seed=0)


class Refuse(Exception):
    """A problem after which nothing further can be read safely."""


class Section:
    def __init__(self, index, entry_offset, kind, codec, byte_offset, stored, raw, checksum):
        self.index = index
        self.entry_offset = entry_offset
        self.kind = kind
        self.codec = codec
        self.byte_offset = byte_offset
        self.stored = stored
        self.raw = raw
        self.checksum = checksum
        self.in_bounds = False
        self.checksum_ok = None
        self.blocks = None  # LZ4Blocks for codec 1 once the prelude is checked

    @property
    def name(self):
        return KIND_NAMES.get(self.kind, "unknown-%d" % self.kind)

    def describe(self):
        return {"kind": self.name,
                "codec": CODEC_NAMES.get(self.codec, self.codec),
                "byte_offset": self.byte_offset,
                "stored_byte_count": self.stored,
                "raw_byte_count": self.raw}


class LZ4Blocks:
    """The block prelude of an lz4-blocks section, and block-at-a-time decoding."""

    def __init__(self, reader, section):
        self.reader = reader
        self.section = section
        self.cache = {}
        self.failed = set()
        data, base, stored = reader.data, section.byte_offset, section.stored
        where = "%s section (lz4 block prelude)" % section.name
        if stored < 8:
            reader.fail(base, where, "stored_byte_count %d is smaller than the 8-byte block prelude" % stored)
        self.block_count, self.block_raw = struct.unpack_from("<II", data, base)
        if not 1 <= self.block_raw <= MAX_BLOCK_RAW_BYTE_COUNT:
            reader.fail(base + 4, where, "block_raw_byte_count %d is outside 1...%d"
                        % (self.block_raw, MAX_BLOCK_RAW_BYTE_COUNT))
        expected_count = -(-section.raw // self.block_raw)
        if self.block_count != expected_count:
            reader.fail(base, where, "block_count %d is not ceil(raw_byte_count %d / block_raw_byte_count %d) = %d"
                        % (self.block_count, section.raw, self.block_raw, expected_count))
        index_end = 8 + 8 * (self.block_count + 1)
        if index_end > stored:
            reader.fail(base + 8, where, "block_ends (%d bytes) run past stored_byte_count %d" % (index_end - 8, stored))
        self.ends = struct.unpack_from("<%dQ" % (self.block_count + 1), data, base + 8)
        if self.ends[0] != index_end:
            reader.fail(base + 8, where, "block_ends[0] is %d, not %d (the end of the block index)" % (self.ends[0], index_end))
        if self.ends[-1] != stored:
            reader.fail(base + 8 + 8 * self.block_count, where, "block_ends[%d] is %d, not stored_byte_count %d"
                        % (self.block_count, self.ends[-1], stored))
        for i in range(self.block_count):
            if self.ends[i + 1] <= self.ends[i]:
                reader.fail(base + 16 + 8 * i, where, "block_ends[%d] = %d does not follow block_ends[%d] = %d"
                            % (i + 1, self.ends[i + 1], i, self.ends[i]))

    def raw_size_of(self, i):
        return min((i + 1) * self.block_raw, self.section.raw) - i * self.block_raw

    def block(self, i):
        if i in self.failed:
            raise Refuse()  # already reported
        if i in self.cache:
            return self.cache[i]
        try:
            return self._decode(i)
        except Refuse:
            self.failed.add(i)
            raise

    def _decode(self, i):
        s = self.section
        start, end = s.byte_offset + self.ends[i], s.byte_offset + self.ends[i + 1]
        size = self.raw_size_of(i)
        try:
            out = lz4.block.decompress(bytes(self.reader.data[start:end]), uncompressed_size=size)
        except Exception as error:  # lz4.block.LZ4BlockError and friends
            self.reader.fail(start, "%s section, block %d" % (s.name, i), "LZ4 block does not decode to %d bytes (%s)" % (size, error))
        if len(out) != size:
            self.reader.fail(start, "%s section, block %d" % (s.name, i), "LZ4 block decodes to %d bytes, not %d" % (len(out), size))
        self.cache[i] = out
        return out

    def read(self, offset, count):
        """Raw bytes offset..<offset+count, decoding only the blocks that hold them."""
        if count == 0:
            return b""
        first, last = offset // self.block_raw, (offset + count - 1) // self.block_raw
        joined = b"".join(self.block(i) for i in range(first, last + 1))
        skip = offset - first * self.block_raw
        return joined[skip:skip + count]

    def decode_all(self, keep):
        """Decodes every block (reporting each bad one); returns the raw bytes when keep is set."""
        parts = []
        for i in range(self.block_count):
            try:
                out = self.block(i)
            except Refuse:
                continue
            if keep:
                parts.append(out)
            else:
                self.cache.pop(i, None)
        if self.failed:
            raise Refuse()
        return b"".join(parts) if keep else None


class Reader:
    def __init__(self, data, strict=False):
        self.strict = strict
        self.data = memoryview(data)
        self.problems = []
        self.result = {"format_version": None, "byte_count": len(data), "sha256": None, "sections": [],
                       "manifest": None, "documents": None, "chunks": [], "vectors": [], "problems": self.problems,
                       "token_signatures": None}
        self.token_signatures = None  # the kind-7 arrays once read and found valid (see the module docstring)

    # -- reporting --------------------------------------------------------------------------

    def problem(self, offset, rule, message):
        self.problems.append("byte %d: %s: %s" % (offset, rule, message))

    def fail(self, offset, rule, message):
        self.problem(offset, rule, message)
        raise Refuse()

    def guarded(self, step, *args):
        """Runs one independent check; a Refuse inside it stops only that check."""
        try:
            return step(*args)
        except Refuse:
            return None

    # -- the whole file ---------------------------------------------------------------------

    def read(self):
        try:
            self.read_header()
            self.read_table()
        except Refuse:
            return self.result
        self.verify_checksums()
        self.verify_digest()
        if self.strict:
            self.verify_padding()
        if any(s.checksum_ok is False for s in self.sections):
            # Bytes that fail their checksum are not decoded: damage is named as damage.
            return self.result
        self.guarded(self.open_sections)
        return self.result

    def read_header(self):
        data, size = self.data, len(self.data)
        if size < len(MAGIC) or bytes(data[:8]) != MAGIC:
            if bytes(data[:5]) == MAGIC[:5]:
                self.fail(5, "magic", "\\x89PIDX is followed by %r, not \\r\\n\\x1a: the file went through a "
                          "text-mode (line-ending converting) transfer" % bytes(data[5:8]))
            self.fail(0, "magic", "not a policy index (the magic is not 89 50 49 44 58 0D 0A 1A)")
        if size < HEADER_SIZE:
            self.fail(size, "header", "truncated at byte %d of the %d-byte header" % (size, HEADER_SIZE))
        major, minor = struct.unpack_from("<HH", data, 8)
        if major != KNOWN_MAJOR:
            self.fail(8, "major_version", "format version %d.%d is not one this reader knows (it reads %d.x)"
                      % (major, minor, KNOWN_MAJOR))
        self.result["format_version"] = "%d.%d" % (major, minor)
        (header_checksum,) = struct.unpack_from("<Q", data, 56)
        if xxh64(data[:56]) != header_checksum:
            self.fail(56, "header_checksum", "XXH64 of bytes 0..<56 is %016x, the header says %016x"
                      % (xxh64(data[:56]), header_checksum))
        (header_byte_count, file_byte_count, table_offset, section_count, entry_size, table_checksum) = \
            struct.unpack_from("<IQQIIQ", data, 12)
        bad = False
        if header_byte_count != HEADER_SIZE:
            self.problem(12, "header_byte_count", "is %d, MUST be 64" % header_byte_count); bad = True
        if table_offset != HEADER_SIZE:
            self.problem(24, "section_table_offset", "is %d, MUST be 64" % table_offset); bad = True
        if section_count > MAX_SECTIONS:
            self.problem(32, "section_count", "is %d, at most %d" % (section_count, MAX_SECTIONS)); bad = True
        if entry_size != ENTRY_SIZE:
            self.problem(36, "section_entry_byte_count", "is %d, MUST be 64" % entry_size); bad = True
        if bad:
            raise Refuse()
        if size < file_byte_count:
            self.fail(size, "file_byte_count", "truncated at byte %d of %d" % (size, file_byte_count))
        if size > file_byte_count:
            self.fail(file_byte_count, "file_byte_count", "%d trailing bytes after the declared end at byte %d"
                      % (size - file_byte_count, file_byte_count))
        table_end = HEADER_SIZE + ENTRY_SIZE * section_count
        if file_byte_count < table_end + TRAILER_SIZE:
            self.fail(16, "file_byte_count", "%d bytes cannot hold the header, a %d-entry section table and the trailer"
                      % (file_byte_count, section_count))
        self.trailer_offset = file_byte_count - TRAILER_SIZE
        if bytes(data[self.trailer_offset:self.trailer_offset + 8]) != TRAILER_MAGIC:
            self.fail(self.trailer_offset, "trailer magic", "is %s, not PIDXEND\\n"
                      % bytes(data[self.trailer_offset:self.trailer_offset + 8]).hex())
        actual = xxh64(data[HEADER_SIZE:table_end])
        if actual != table_checksum:
            self.fail(40, "section_table_checksum", "XXH64 of the table bytes 64..<%d is %016x, the header says %016x"
                      % (table_end, actual, table_checksum))
        self.section_count = section_count
        self.table_end = table_end

    def read_table(self):
        data = self.data
        self.sections = []
        bad = False
        seen = {}
        expected_offset = align64(self.table_end)
        for i in range(self.section_count):
            entry = HEADER_SIZE + ENTRY_SIZE * i
            kind, codec, byte_offset, stored, raw, checksum = struct.unpack_from("<IIQQQQ", data, entry)
            s = Section(i, entry, kind, codec, byte_offset, stored, raw, checksum)
            self.sections.append(s)
            self.result["sections"].append(s.describe())
            rule = "section table entry %d (%s)" % (i, s.name)
            if kind in seen:
                self.problem(entry, rule, "kind %d appears again (first in entry %d); a kind appears at most once"
                             % (kind, seen[kind])); bad = True
            seen.setdefault(kind, i)
            if kind in KIND_NAMES and codec not in CODEC_NAMES:
                self.problem(entry + 4, rule, "unknown codec %d for a known kind" % codec); bad = True
            elif kind in EXPECTED_CODEC and codec != EXPECTED_CODEC[kind]:
                self.problem(entry + 4, rule, "codec is %s, the %s section is %s"
                             % (CODEC_NAMES[codec], s.name, CODEC_NAMES[EXPECTED_CODEC[kind]])); bad = True
            if byte_offset != expected_offset:
                self.problem(entry + 8, rule, "byte_offset %d is not where tiling puts the section (%d)"
                             % (byte_offset, expected_offset)); bad = True
            if byte_offset > self.trailer_offset or stored > self.trailer_offset - byte_offset:
                self.problem(entry + 16, rule, "bytes %d..<%d run past the trailer at byte %d"
                             % (byte_offset, byte_offset + stored, self.trailer_offset)); bad = True
            else:
                s.in_bounds = True
            if raw > MAX_RAW_BYTE_COUNT:
                self.problem(entry + 24, rule, "raw_byte_count %d is over 2^40" % raw); bad = True
            if codec == CODEC_RAW and raw != stored:
                self.problem(entry + 24, rule, "raw section with raw_byte_count %d != stored_byte_count %d"
                             % (raw, stored)); bad = True
            expected_offset = align64(byte_offset + stored)
        last_end = (self.sections[-1].byte_offset + self.sections[-1].stored) if self.sections else align64(self.table_end)
        if self.sections and last_end != self.trailer_offset:
            self.problem(self.sections[-1].entry_offset + 16, "tiling",
                         "the last section ends at byte %d, not where the trailer starts (%d)" % (last_end, self.trailer_offset))
            bad = True
        for kind in REQUIRED_KINDS:
            if kind not in seen:
                self.problem(HEADER_SIZE, "required kinds", "no %s section (kind %d)" % (KIND_NAMES[kind], kind)); bad = True
        self.by_kind = {s.kind: s for s in reversed(self.sections)}
        if bad:
            # Still check what can be checked without trusting the table: the trailer digest.
            self.verify_digest()
            raise Refuse()

    # -- whole-file checks ------------------------------------------------------------------

    def verify_checksums(self):
        for s in self.sections:
            actual = xxh64(self.data[s.byte_offset:s.byte_offset + s.stored])
            s.checksum_ok = actual == s.checksum
            if not s.checksum_ok:
                self.problem(s.byte_offset, "%s section checksum" % s.name, "XXH64 of bytes %d..<%d is %016x, "
                             "the table says %016x" % (s.byte_offset, s.byte_offset + s.stored, actual, s.checksum))

    def verify_digest(self):
        if self.result["sha256"] is not None:
            return
        t = self.trailer_offset
        stored = bytes(self.data[t + 8:t + 40])
        actual = hashlib.sha256(self.data[:t]).digest()
        self.result["sha256"] = stored.hex()
        if actual != stored:
            self.problem(t + 8, "trailer digest", "SHA-256 of bytes 0..<%d is %s, the trailer says %s"
                         % (t, actual.hex(), stored.hex()))

    def verify_padding(self):
        """Every byte has one meaning: the gaps before sections are zero."""
        start = self.table_end
        for s in self.sections:
            gap = bytes(self.data[start:s.byte_offset])
            if gap.strip(b"\0"):
                self.problem(start + next(i for i, b in enumerate(gap) if b), "padding",
                             "padding before the %s section is not zero" % s.name)
            start = s.byte_offset + s.stored

    # -- contents ---------------------------------------------------------------------------

    def open_sections(self):
        # Open-time checks: the vectors and chunk-table preludes and sizes, the chunk-text block prelude.
        vectors = self.by_kind[KIND_VECTORS]
        table = self.by_kind[KIND_CHUNK_TABLE]
        text = self.by_kind[KIND_CHUNK_TEXT]
        self.guarded(self.open_vectors, vectors)
        self.guarded(self.open_chunk_table, table)
        # The token signatures (1.2): prelude, chunk count, dimension and size equation, as the
        # daemon checks them when it opens the section.
        if KIND_TOKEN_SIGNATURES in self.by_kind:
            self.guarded(self.open_token_signatures, self.by_kind[KIND_TOKEN_SIGNATURES])
        # Every lz4-blocks section, of a kind this reader knows or not: the block layout belongs to
        # the codec, and full verification decodes "every LZ4 block".
        for s in self.sections:
            if s.codec == CODEC_LZ4:
                s.blocks = self.guarded(LZ4Blocks, self, s)
        # Full verification: every LZ4 block decodes, JSON parses, vectors, chunk references.
        for s in self.sections:
            if s.blocks is not None and s.kind not in JSON_KINDS:
                self.guarded(s.blocks.decode_all, False)
        manifest = self.guarded(self.read_json, self.by_kind[KIND_MANIFEST], dict)
        documents = self.guarded(self.read_json, self.by_kind[KIND_DOCUMENTS], list)
        self.result["manifest"], self.result["documents"] = manifest, documents
        if manifest is not None:
            manifest = self.guarded(self.check_schema, KIND_MANIFEST, manifest, MANIFEST_SCHEMA)
        if documents is not None:
            documents = self.guarded(self.check_schema, KIND_DOCUMENTS, documents, DOCUMENTS_SCHEMA)
        dimension = int(manifest["model"]["dimension"]) if manifest is not None else None
        if self.vectors_prelude is not None:
            self.guarded(self.read_vectors, vectors, dimension)
        if self.table_prelude is not None:
            self.guarded(self.read_chunks, table, text, documents)
        if KIND_LEXICON in self.by_kind:
            self.guarded(self.read_lexicon, self.by_kind[KIND_LEXICON])
        if self.signatures_prelude is not None:
            self.guarded(self.read_token_signatures, self.by_kind[KIND_TOKEN_SIGNATURES])

    def read_lexicon(self, s):
        """The lexicon (kind 6, format 1.1): prelude, size equation, dictionary order, postings, and
        chunk lengths equal to the sums of their term counts. Stores a summary in result["lexicon"]
        and every term's postings in self.lexicon_terms."""
        where = "lexicon section"
        if s.codec == CODEC_LZ4:
            if s.blocks is None:
                raise Refuse()
            data = s.blocks.decode_all(True)
        else:
            data = bytes(self.data[s.byte_offset:s.byte_offset + s.stored])
        base = s.byte_offset
        if len(data) < 64:
            self.fail(base, where, "%d bytes, smaller than the 64-byte prelude" % len(data))
        version, chunks, terms, k1, b, _, total, strings_size, postings_size = struct.unpack_from("<IIIffIQQQ", data, 0)
        if self.table_prelude is not None and chunks != self.table_prelude[0]:
            self.fail(base + 4, where, "chunk_count %d differs from the chunk table's %d records" % (chunks, self.table_prelude[0]))
        if not (math.isfinite(k1) and k1 >= 0 and math.isfinite(b) and 0 <= b <= 1):
            self.fail(base + 12, where, "k1 %r or b %r out of range" % (k1, b))
        lengths_at, entries_at = 64, 64 + 4 * chunks
        strings_at = entries_at + 12 * terms
        postings_at = strings_at + strings_size
        if postings_at + postings_size != len(data):
            self.fail(base, where, "64 + 4 x %d + 12 x %d + %d + %d bytes is not the section's %d"
                      % (chunks, terms, strings_size, postings_size, len(data)))
        lengths = struct.unpack_from("<%dI" % chunks, data, lengths_at)
        sums = [0] * chunks
        previous, string_start, postings_start = None, 0, 0
        self.lexicon_terms = {}
        for i in range(terms):
            string_end, frequency, postings_end = struct.unpack_from("<III", data, entries_at + 12 * i)
            if not (string_start <= string_end <= strings_size and postings_start <= postings_end <= postings_size):
                self.fail(base + entries_at + 12 * i, where, "term %d's string or postings ends are out of order or range" % i)
            raw = data[strings_at + string_start:strings_at + string_end]
            try:
                term = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.fail(base + strings_at + string_start, where, "term %d is not valid UTF-8" % i)
            if not raw or (previous is not None and not previous < raw):
                self.fail(base + strings_at + string_start, where, "term %d is empty or not after term %d in byte order" % (i, i - 1))
            at, end, chunk, postings = postings_at + postings_start, postings_at + postings_end, -1, []
            for _ in range(frequency):
                pair = []
                for _ in range(2):
                    value, shift = 0, 0
                    while True:
                        if at >= end or shift >= 64:
                            self.fail(base + at, where, "term %d's varints run past its postings" % i)
                        byte = data[at]
                        at += 1
                        value |= (byte & 0x7F) << shift
                        shift += 7
                        if not byte & 0x80:
                            break
                    pair.append(value)
                gap, count = pair
                chunk = gap if chunk < 0 else chunk + gap
                if (gap == 0 and postings) or chunk >= chunks or count < 1:
                    self.fail(base + at, where, "term %d has a posting for chunk %d with count %d" % (i, chunk, count))
                sums[chunk] += count
                postings.append((chunk, count))
            if at != end:
                self.fail(base + at, where, "term %d's postings end at %d, not at %d" % (i, at, end))
            self.lexicon_terms[term] = postings
            previous, string_start, postings_start = raw, string_end, postings_end
        for i, (length, counted) in enumerate(zip(lengths, sums)):
            if length != counted:
                self.problem(base + lengths_at + 4 * i, where, "chunk %d has length %d but its term counts add up to %d" % (i, length, counted))
        if sum(lengths) != total:
            self.problem(base + 24, where, "chunk lengths add up to %d, total_term_count is %d" % (sum(lengths), total))
        self.result["lexicon"] = {"tokenizer_version": version, "chunk_count": chunks, "term_count": terms,
                                  "k1": k1, "b": b, "total_term_count": total}

    vectors_prelude = None
    table_prelude = None
    signatures_prelude = None

    def open_token_signatures(self, s):
        """Kind 7 at open time: the prelude's counts against the chunk table and the vectors,
        words_per_token, vocabulary_size, and the exact size. (The codec, "MUST be raw", is
        checked with the section table.)"""
        base, where = s.byte_offset, "token-signatures section"
        if s.stored < TOKEN_SIGNATURES_PRELUDE:
            self.fail(base, where, "stored_byte_count %d is smaller than the 64-byte prelude" % s.stored)
        chunks, dimension, words, vocabulary, tokens = struct.unpack_from("<IIIIQ", self.data, base)
        bad = False
        if self.table_prelude is not None and chunks != self.table_prelude[0]:
            self.problem(base, where, "chunk_count %d is not the chunk table's record_count %d"
                         % (chunks, self.table_prelude[0])); bad = True
        if self.vectors_prelude is not None and dimension != self.vectors_prelude[1]:
            self.problem(base + 4, where, "dimension %d is not the vectors' dimension %d"
                         % (dimension, self.vectors_prelude[1])); bad = True
        if words != -(-dimension // 64):
            self.problem(base + 8, where, "words_per_token %d is not ceil(dimension %d / 64) = %d"
                         % (words, dimension, -(-dimension // 64))); bad = True
        if vocabulary < 1:
            self.problem(base + 12, where, "vocabulary_size is 0, MUST be at least 1"); bad = True
        if self.strict and bytes(self.data[base + 24:base + 64]).strip(b"\0"):
            self.problem(base + 24, where, "prelude bytes 24..<64 are not zero")
        frequencies_size = 4 * vocabulary
        padded = (frequencies_size + 7) // 8 * 8
        expected = TOKEN_SIGNATURES_PRELUDE + padded + 8 * (chunks + 1) + 8 * words * tokens
        if s.stored != expected:
            self.fail(base, where, "stored_byte_count %d is not 64 + align8(4 x %d) + 8 x (%d + 1) + 8 x %d x %d = %d"
                      % (s.stored, vocabulary, chunks, words, tokens, expected))
        if bad:
            raise Refuse()
        # Where each array starts, relative to the section.
        starts_at = TOKEN_SIGNATURES_PRELUDE + padded
        signatures_at = starts_at + 8 * (chunks + 1)
        self.signatures_prelude = (chunks, dimension, words, vocabulary, tokens, starts_at, signatures_at)

    def read_token_signatures(self, s):
        """Kind 7 in full verification: every token start (0 first, non-decreasing, token_count
        last), every document frequency (at most chunk_count), the padding (--strict) and the
        unused bits of each signature's last word. Stores a summary in result["token_signatures"]
        and, when all is well, the arrays in self.token_signatures."""
        chunks, dimension, words, vocabulary, tokens, starts_at, signatures_at = self.signatures_prelude
        base, where = s.byte_offset, "token-signatures section"
        frequencies = np.frombuffer(self.data, dtype="<u4", count=vocabulary, offset=base + TOKEN_SIGNATURES_PRELUDE)
        starts = np.frombuffer(self.data, dtype="<u8", count=chunks + 1, offset=base + starts_at)
        bad = False

        if self.strict and bytes(self.data[base + TOKEN_SIGNATURES_PRELUDE + 4 * vocabulary:base + starts_at]).strip(b"\0"):
            self.problem(base + TOKEN_SIGNATURES_PRELUDE + 4 * vocabulary, where,
                         "the padding after the document frequencies is not zero")

        over = np.flatnonzero(frequencies > chunks)
        if over.size:
            i = int(over[0])
            more = "" if over.size == 1 else " (and %d more ids)" % (over.size - 1)
            self.problem(base + TOKEN_SIGNATURES_PRELUDE + 4 * i, where,
                         "document frequency %d of WordPiece id %d is over chunk_count %d%s"
                         % (int(frequencies[i]), i, chunks, more)); bad = True

        if starts[0] != 0:
            self.problem(base + starts_at, where, "token_starts[0] is %d, not 0" % int(starts[0])); bad = True
        falls = np.flatnonzero(starts[1:] < starts[:-1])
        if falls.size:
            i = int(falls[0]) + 1
            more = "" if falls.size == 1 else " (and %d more)" % (falls.size - 1)
            self.problem(base + starts_at + 8 * i, where, "token_starts[%d] = %d is below token_starts[%d] = %d%s"
                         % (i, int(starts[i]), i - 1, int(starts[i - 1]), more)); bad = True
        if int(starts[chunks]) != tokens:
            self.problem(base + starts_at + 8 * chunks, where, "token_starts[%d] (chunk_count) is %d, not token_count %d"
                         % (chunks, int(starts[chunks]), tokens)); bad = True

        if words and tokens:
            signatures = np.frombuffer(self.data, dtype="<u8", count=words * tokens,
                                       offset=base + signatures_at).reshape(tokens, words)
        elif tokens <= sys.maxsize:  # nothing stored (dimension 0 or no tokens): an empty array
            signatures = np.zeros((tokens, words), dtype="<u8")
        else:  # dimension 0: the size equation does not bound token_count
            self.fail(base + 16, where, "token_count %d is too large to read" % tokens)
        used = dimension % 64
        if words and tokens and used:
            unused = np.uint64(~((1 << used) - 1) & 0xFFFFFFFFFFFFFFFF)
            set_rows = np.flatnonzero(signatures[:, words - 1] & unused)
            if set_rows.size:
                row = int(set_rows[0])
                more = "" if set_rows.size == 1 else " (and %d more signatures)" % (set_rows.size - 1)
                self.problem(base + signatures_at + 8 * (row * words + words - 1), where,
                             "signature %d has bits set at or past dimension %d%s" % (row, dimension, more)); bad = True

        self.result["token_signatures"] = {"chunk_count": chunks, "dimension": dimension, "words_per_token": words,
                                           "vocabulary_size": vocabulary, "token_count": tokens}
        if bad:
            raise Refuse()
        self.token_signatures = {"dimension": dimension, "words_per_token": words,
                                 "vocabulary_size": vocabulary, "token_count": tokens,
                                 "document_frequencies": frequencies.astype(np.uint32, copy=False),
                                 "token_starts": starts.astype(np.uint64, copy=False),
                                 "signatures": signatures.astype(np.uint64, copy=False)}

    def open_vectors(self, s):
        base, where = s.byte_offset, "vectors section"
        if s.stored < VECTORS_PRELUDE:
            self.fail(base, where, "stored_byte_count %d is smaller than the 64-byte prelude" % s.stored)
        rows, dimension, element_type = struct.unpack_from("<III", self.data, base)
        if element_type != 1:
            self.problem(base + 8, where, "element_type %d is not 1 (Float16)" % element_type)
        if self.strict and bytes(self.data[base + 12:base + 64]).strip(b"\0"):
            self.problem(base + 12, where, "prelude bytes 12..<64 are not zero")
        if s.stored != VECTORS_PRELUDE + 2 * rows * dimension:
            self.fail(base, where, "stored_byte_count %d is not 64 + 2 x %d rows x %d dimensions = %d"
                      % (s.stored, rows, dimension, VECTORS_PRELUDE + 2 * rows * dimension))
        if element_type != 1:
            raise Refuse()
        self.vectors_prelude = (rows, dimension)

    def open_chunk_table(self, s):
        base, where = s.byte_offset, "chunk-table section"
        if s.stored < CHUNK_TABLE_PRELUDE:
            self.fail(base, where, "stored_byte_count %d is smaller than the 16-byte prelude" % s.stored)
        count, record_size = struct.unpack_from("<II", self.data, base)
        if record_size < MIN_RECORD_BYTE_COUNT or record_size % 8:
            self.fail(base + 4, where, "record_byte_count %d is not a multiple of 8 of at least 48" % record_size)
        if self.strict and bytes(self.data[base + 8:base + 16]).strip(b"\0"):
            self.problem(base + 8, where, "prelude bytes 8..<16 are not zero")
        if s.stored != CHUNK_TABLE_PRELUDE + count * record_size:
            self.fail(base, where, "stored_byte_count %d is not 16 + %d records x %d bytes = %d"
                      % (s.stored, count, record_size, CHUNK_TABLE_PRELUDE + count * record_size))
        self.table_prelude = (count, record_size)

    def read_json(self, s, expected_type):
        where = "%s section" % s.name
        if s.raw > MAX_WHOLE_DECODE:
            self.fail(s.byte_offset, where, "raw_byte_count %d is over the 256 MiB limit for a section decoded whole" % s.raw)
        if s.codec == CODEC_RAW:
            raw = bytes(self.data[s.byte_offset:s.byte_offset + s.stored])
        elif s.blocks is None:
            raise Refuse()  # the block prelude was already reported
        else:
            raw = s.blocks.decode_all(True)
        try:
            # A leading byte order mark is skipped (RFC 8259 lets a parser ignore it; the page is
            # silent, and policy-verify accepts one).
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            self.fail(s.byte_offset, where, "JSON is not valid UTF-8 (%s)" % error)

        def no_constants(name):
            raise ValueError("%s is not JSON" % name)

        def first_key_wins(pairs):
            # The page does not say what a repeated key means; policy-verify keeps the first.
            obj = {}
            for key, value in pairs:
                obj.setdefault(key, value)
            return obj
        try:
            value = json.loads(text, parse_constant=no_constants, object_pairs_hook=first_key_wins)
        except ValueError as error:
            self.fail(s.byte_offset, where, "does not parse as JSON (%s)" % error)
        if not isinstance(value, expected_type):
            self.fail(s.byte_offset, where, "JSON is a %s, not a%s" % (type(value).__name__,
                      " object" if expected_type is dict else "n array"))
        return value

    def check_schema(self, kind, value, schema):
        errors = schema_errors(value, schema, "")
        if errors:
            more = "" if len(errors) <= 3 else " (and %d more)" % (len(errors) - 3)
            self.fail(self.by_kind[kind].byte_offset, "%s section" % KIND_NAMES[kind],
                      "JSON does not have the documented shape: %s%s" % ("; ".join(errors[:3]), more))
        return value

    def read_vectors(self, s, dimension):
        rows, dim = self.vectors_prelude
        base, where = s.byte_offset, "vectors section"
        if self.table_prelude is not None and rows != self.table_prelude[0]:
            self.problem(base, where, "row_count %d is not the chunk table's record_count %d" % (rows, self.table_prelude[0]))
        if dimension is not None and dim != dimension:
            self.problem(base + 4, where, "dimension %d is not the manifest's model.dimension %d" % (dim, dimension))
        matrix = np.frombuffer(self.data, dtype="<f2", count=rows * dim, offset=base + VECTORS_PRELUDE).reshape(rows, dim)
        wide = matrix.astype(np.float64)
        for r in range(rows):
            row = wide[r]
            if not np.all(np.isfinite(row)):
                col = int(np.argmin(np.isfinite(row)))
                self.problem(base + VECTORS_PRELUDE + 2 * (r * dim + col), where, "row %d has a non-finite value" % r)
                continue
            norm = math.sqrt(float(np.dot(row, row)))
            if abs(norm - 1.0) > NORM_TOLERANCE:
                self.problem(base + VECTORS_PRELUDE + 2 * r * dim, where, "row %d has norm %.6f, not 1 +- 0.001" % (r, norm))
        self.result["vectors"] = [[float(x) for x in row] for row in matrix]

    def read_chunks(self, table, text, documents):
        count, record_size = self.table_prelude
        base = table.byte_offset + CHUNK_TABLE_PRELUDE
        ids = {}
        chunks = self.result["chunks"]
        for i in range(count):
            at = base + i * record_size
            (chunk_id, document_index, outline_index, text_offset, text_count, token_count,
             character_start, character_end) = struct.unpack_from("<QIIQIIII", self.data, at)
            where = "chunk-table record %d" % i
            if self.strict and bytes(self.data[at + 40:at + 48]).strip(b"\0"):
                self.problem(at + 40, where, "reserved bytes 40..<48 are not zero")
            if chunk_id in ids:
                self.problem(at, where, "chunk ID c%016x repeats record %d" % (chunk_id, ids[chunk_id]))
            ids.setdefault(chunk_id, i)
            if documents is not None:
                if document_index >= len(documents):
                    self.problem(at + 8, where, "document_index %d is out of range (%d documents)" % (document_index, len(documents)))
                elif outline_index != NO_OUTLINE:
                    length = len(documents[document_index]["outline"])
                    if outline_index >= length:
                        self.problem(at + 12, where, "outline_index %d is out of range (document %d has %d outline entries)"
                                     % (outline_index, document_index, length))
            if character_end < character_start:
                self.problem(at + 36, where, "source_character_end %d is before source_character_start %d"
                             % (character_end, character_start))
            chunk_text = None
            if text_offset + text_count > text.raw:
                self.problem(at + 16, where, "text bytes %d..<%d run past chunk-text's raw_byte_count %d"
                             % (text_offset, text_offset + text_count, text.raw))
            elif text.blocks is not None:
                raw = self.guarded(text.blocks.read, text_offset, text_count)
                if raw is not None:
                    try:
                        chunk_text = raw.decode("utf-8")
                    except UnicodeDecodeError as error:
                        self.problem(at + 16, where, "text is not valid UTF-8 (%s)" % error)
            chunks.append({"id": "c%016x" % chunk_id, "document_index": document_index,
                           "outline_index": None if outline_index == NO_OUTLINE else outline_index,
                           "token_count": token_count,
                           "source_character_range": [character_start, character_end],
                           "text": chunk_text})


USAGE = """usage: read_artifact.py [--strict] FILE.pidx

--strict  also refuse non-zero padding between sections and non-zero bytes in the vectors,
          chunk-table and token-signatures preludes, the padding after the token signatures'
          document frequencies, and the chunk records' reserved field. The page calls them "zero"
          but does not list them among a reader's checks, and policy-verify does not check them."""


def main(argv):
    args = argv[1:]
    strict = "--strict" in args
    args = [a for a in args if a != "--strict"]
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        with open(args[0], "rb") as f:
            data = f.read()
    except OSError as error:
        print("read_artifact.py: %s" % error, file=sys.stderr)
        return 2
    result = Reader(data, strict=strict).read()
    print(json.dumps(result, sort_keys=False, ensure_ascii=False))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
