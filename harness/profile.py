"""Moved to `harness.protocol.profile`; this name stays importable (one module, two names)."""

import sys

from harness.protocol import profile as _moved

sys.modules[__name__] = _moved
