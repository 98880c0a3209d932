"""The offline embedder: deterministic, normalised, lexically sensible, cheap to import."""

from __future__ import annotations

import math
import subprocess
import sys
from hashlib import blake2b

from sandbox import embeddings

GOLDEN_RESET_PASSWORD = "71c6d687d1ea1d53adafc37d5a7ea176"


def _digest(vector: list[float]) -> str:
    return blake2b(repr([round(x, 9) for x in vector]).encode(), digest_size=16).hexdigest()


def test_constants() -> None:
    assert embeddings.MODEL_NAME == "sandbox-hashing-384-v1"
    assert embeddings.DIMENSIONS == 384


def test_deterministic_golden() -> None:
    assert _digest(embeddings.embed("reset password")) == GOLDEN_RESET_PASSWORD


def test_deterministic_across_processes_and_hash_seeds() -> None:
    code = (
        "from sandbox import embeddings as e; print(repr([round(x, 9) for x in e.embed('reset password')]))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_unit_length_and_dimensions() -> None:
    for text in ("a", "How to reset your password", "Ünïcödé text, with punctuation!" * 20):
        vector = embeddings.embed(text)
        assert len(vector) == embeddings.DIMENSIONS
        assert math.isclose(math.fsum(v * v for v in vector), 1.0, rel_tol=1e-9)


def test_empty_text_is_zero_vector() -> None:
    assert embeddings.embed("") == [0.0] * embeddings.DIMENSIONS
    assert embeddings.embed("   ...  ") == [0.0] * embeddings.DIMENSIONS


def test_case_insensitive_and_embed_many() -> None:
    assert embeddings.embed("Reset PASSWORD") == embeddings.embed("reset password")
    assert embeddings.embed_many(["a b", "c"]) == [embeddings.embed("a b"), embeddings.embed("c")]


def test_related_texts_are_closer() -> None:
    def cos(a: str, b: str) -> float:
        return sum(x * y for x, y in zip(embeddings.embed(a), embeddings.embed(b), strict=True))

    query = "reset password"
    assert cos(query, "How to reset your password") > cos(query, "Refund policy for annual plans")
    refund = "refund annual plan"
    assert cos(refund, "Refund policy for annual plans") > cos(refund, "Set up SSO")


def test_import_is_light() -> None:
    code = "import sys, sandbox.embeddings; print(any(m in sys.modules for m in ('psycopg', 'faker')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_pgvector_text_form() -> None:
    text = embeddings.to_pgvector([0.5, -0.25, 0.0])
    assert text == "[0.5,-0.25,0]"
