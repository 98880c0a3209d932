"""Sharding: split one run's tests (or a sweep's servers) into n deterministic slices.

`--mcp-shard i/n` (`mcp-harness run --shard i/n`) keeps the collected tests
whose position in the *sorted* node ids is i-1 modulo n: round-robin over a
sorted list, so every shard gets a near-equal count, each module's tests are
spread over all shards (modules differ a lot in cost), and the slice depends
only on the set of collected ids, never on collection order, hashing seeds
or the machine. Sharded reports merge back exactly (`mcp-harness merge`) as
long as all shards ran the same harness, options and server.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

import pytest

T = TypeVar("T")
_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """`"2/3"` -> (2, 3); raises ValueError unless 1 <= i <= n."""
    match = _SPEC.match(text or "")
    if not match:
        raise ValueError(f"shard must look like i/n (e.g. 1/3), got {text!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count}: i must be between 1 and n")
    return index, count


def in_shard(position: int, index: int, count: int) -> bool:
    """Round-robin membership of the item at 0-based `position` in shard `index` of `count`."""
    return position % count == index - 1


def slice_of(items: Sequence[T], index: int, count: int) -> list[T]:
    """The items of shard `index`/`count`, in the given order (sweeps: the file's order)."""
    return [item for position, item in enumerate(items) if in_shard(position, index, count)]


def shard_ids(nodeids: Sequence[str], index: int, count: int) -> set[str]:
    """The node ids of shard `index`/`count`, chosen over the sorted ids."""
    return set(slice_of(sorted(set(nodeids)), index, count))


class ShardPlugin:
    """Deselects the tests outside this shard, after every other selection (-k, -m) is done."""

    def __init__(self, index: int, count: int) -> None:
        self.index, self.count = index, count

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[Any]) -> None:
        keep = shard_ids([item.nodeid for item in items], self.index, self.count)
        dropped = [item for item in items if item.nodeid not in keep]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = [item for item in items if item.nodeid in keep]

    def pytest_report_header(self, config: pytest.Config) -> str:
        return f"mcp shard {self.index}/{self.count} (round-robin over sorted node ids)"


def register(config: pytest.Config, text: str | None) -> None:
    """Install the shard plugin for `--mcp-shard i/n` and remember the shard for the report."""
    if not text:
        return
    try:
        index, count = parse_shard(text)
    except ValueError as exc:
        raise pytest.UsageError(f"--mcp-shard: {exc}") from None
    config._mcp_shard = {"index": index, "count": count}  # type: ignore[attr-defined]
    config.pluginmanager.register(ShardPlugin(index, count), "mcp-harness-shard")
