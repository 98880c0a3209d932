"""Moved to `harness.transport.transcript`; this name stays importable (one module, two names)."""

import sys

from harness.transport import transcript as _moved

sys.modules[__name__] = _moved
