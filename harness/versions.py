"""Moved to `harness.protocol.versions`; this name stays importable (one module, two names)."""

import sys

from harness.protocol import versions as _moved

sys.modules[__name__] = _moved
