"""Moved to `harness.property.examples`; this name stays importable (one module, two names)."""

import sys

from harness.property import examples as _moved

sys.modules[__name__] = _moved
