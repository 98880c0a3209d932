"""A deterministic, offline text embedder for the sandbox knowledge base.

Servers under test are told `EMBEDDING_MODEL=sandbox.embeddings`: they import
this module to embed their queries with exactly the function the knowledge base
was indexed with. It must therefore be

* deterministic across processes, machines and Python versions: features are
  hashed with blake2b, never with Python's salted `hash()`;
* dependency-free and quick to import (no numpy, no model download);
* good enough that lexical overlap ranks first: "reset password" finds
  "How to reset your password".

Method: feature hashing ("hashing trick") of lower-cased word tokens (weight
2) and character 3- and 4-grams of each word with boundary markers (weight 1),
into `DIMENSIONS` buckets with a hash-derived sign, then L2 normalisation, so
cosine similarity equals the dot product.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache
from hashlib import blake2b

MODEL_NAME = "sandbox-hashing-384-v1"
DIMENSIONS = 384

_WORD = re.compile(r"[a-z0-9]+")
_WORD_WEIGHT = 2.0
_NGRAM_WEIGHT = 1.0
_NGRAM_SIZES = (3, 4)


@lru_cache(maxsize=1 << 16)
def _bucket(feature: str) -> tuple[int, float]:
    """Map a feature to (dimension, sign); cached because n-grams repeat a lot."""
    digest = blake2b(feature.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "big")
    return value % DIMENSIONS, (1.0 if (value >> 63) & 1 else -1.0)


def _features(text: str) -> Iterable[tuple[str, float]]:
    for word in _WORD.findall(text.lower()):
        yield "w:" + word, _WORD_WEIGHT
        padded = f"<{word}>"
        for n in _NGRAM_SIZES:
            for i in range(len(padded) - n + 1):
                yield "c:" + padded[i : i + n], _NGRAM_WEIGHT


def embed(text: str) -> list[float]:
    """Embed one text as a unit-length list of `DIMENSIONS` floats.

    An empty or token-less text gives the zero vector (there is nothing to
    normalise); callers comparing with cosine distance should expect that.
    """
    vector = [0.0] * DIMENSIONS
    for feature, weight in _features(text):
        index, sign = _bucket(feature)
        vector[index] += sign * weight
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0.0:
        return vector
    return [v / norm for v in vector]


def embed_many(texts: Iterable[str]) -> list[list[float]]:
    """Embed several texts; same result as calling `embed` on each."""
    return [embed(text) for text in texts]


def to_pgvector(vector: list[float]) -> str:
    """The text form pgvector accepts (`'[0.1,0.2,...]'::vector`)."""
    return "[" + ",".join(f"{v:.7g}" for v in vector) + "]"
