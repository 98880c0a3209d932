"""Moved to `harness.property.replay`; this name stays importable (one module, two names)."""

import sys

from harness.property import replay as _moved

sys.modules[__name__] = _moved
