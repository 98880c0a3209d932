"""Moved to `harness.property.machine`; this name stays importable (one module, two names)."""

import sys

from harness.property import machine as _moved

sys.modules[__name__] = _moved
