"""Moved to `harness.protocol.target`; this name stays importable (one module, two names)."""

import sys

from harness.protocol import target as _moved

sys.modules[__name__] = _moved
