"""The transcript: every frame that crossed the wire, in order, with its time.

Findings point into it, failure files are written from it and replay reads it
back. It lives below the session so that transports can record raw bytes
(including bytes that never became a JSON-RPC message).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Direction = Literal["send", "recv", "stderr", "noise", "event"]

# Raw bytes kept per frame; enough to show a person, bounded so a 100 MB flood
# or a 1 MB result does not blow the report up.
RAW_KEEP = 4096


@dataclass
class Frame:
    """One thing that happened on the wire."""

    seq: int
    t: float
    direction: Direction
    channel: str
    raw: str
    message: Any = None
    size: int = 0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "seq": self.seq,
            "t": round(self.t, 6),
            "dir": self.direction,
            "channel": self.channel,
        }
        if self.message is not None:
            data["message"] = self.message
        else:
            data["raw"] = self.raw
        if self.size and self.size != len(self.raw):
            data["size"] = self.size
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class Transcript:
    """Thread-safe, append-only list of frames with a bounded stderr tail."""

    max_frames: int = 20000
    frames: list[Frame] = field(default_factory=list)
    dropped: int = 0
    _t0: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0

    def record(
        self,
        direction: Direction,
        channel: str,
        raw: bytes | str,
        message: Any = None,
        note: str = "",
    ) -> Frame:
        # decode only what is kept: a 1 MB frame costs a 4 KiB decode, not a 1 MB one
        text = raw[: RAW_KEEP * 4].decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        size = len(raw)
        with self._lock:
            self._seq += 1
            frame = Frame(
                seq=self._seq,
                t=time.monotonic() - self._t0,
                direction=direction,
                channel=channel,
                raw=text[:RAW_KEEP],
                message=message if _small(message, size) else None,
                size=size,
                note=note,
            )
            if len(self.frames) >= self.max_frames:
                # Keep the beginning (the handshake) and drop the middle.
                del self.frames[self.max_frames // 2]
                self.dropped += 1
            self.frames.append(frame)
            return frame

    def since(self, seq: int) -> list[Frame]:
        with self._lock:
            return [f for f in self.frames if f.seq > seq]

    @property
    def last_seq(self) -> int:
        return self._seq

    def tail(self, count: int = 30, directions: Iterable[str] | None = None) -> list[Frame]:
        with self._lock:
            frames = [f for f in self.frames if directions is None or f.direction in directions]
        return frames[-count:]

    def stderr_text(self, limit: int = 4000) -> str:
        text = "".join(f.raw for f in self.tail(200, ("stderr",)))
        return text[-limit:]

    def to_jsonl(self, frames: Iterable[Frame] | None = None) -> str:
        rows = self.frames if frames is None else frames
        return "".join(json.dumps(f.as_dict(), ensure_ascii=False) + "\n" for f in rows)

    def write_jsonl(self, path: Path, header: dict[str, Any] | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            if header is not None:
                out.write(json.dumps({"header": header}, ensure_ascii=False) + "\n")
            out.write(self.to_jsonl())


def _small(message: Any, size: int) -> bool:
    """Keep parsed messages below 1 MiB in memory; bigger ones stay as raw prefix."""
    return message is not None and size <= 1 << 20


def render(frames: Iterable[Frame], limit: int = 40) -> str:
    """A short human transcript: `-> {...}` for sent, `<- {...}` for received."""
    arrows = {"send": "->", "recv": "<-", "stderr": "!!", "noise": "<?", "event": "**"}
    lines = []
    for frame in list(frames)[-limit:]:
        body = json.dumps(frame.message, ensure_ascii=False) if frame.message is not None else frame.raw
        if len(body) > 300:
            body = body[:300] + f"... ({frame.size} bytes)"
        note = f"  [{frame.note}]" if frame.note else ""
        lines.append(
            f"{frame.t:8.3f} {arrows.get(frame.direction, '  ')} {frame.channel}: {body.rstrip()}{note}"
        )
    return "\n".join(lines)
