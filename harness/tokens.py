"""Moved to `harness.auth.tokens`; this name stays importable (one module, two names)."""

import sys

from harness.auth import tokens as _moved

sys.modules[__name__] = _moved
