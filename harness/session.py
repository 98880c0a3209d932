"""Moved to `harness.protocol.session`; this name stays importable (one module, two names)."""

import sys

from harness.protocol import session as _moved

sys.modules[__name__] = _moved
