"""Moved to `harness.property.strategies`; this name stays importable (one module, two names)."""

import sys

from harness.property import strategies as _moved

sys.modules[__name__] = _moved
