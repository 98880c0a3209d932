"""Moved to `harness.rules.coverage`; this name stays importable (one module, two names)."""

import sys

from harness.rules import coverage as _moved

sys.modules[__name__] = _moved
