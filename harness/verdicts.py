"""Moved to `harness.report.verdicts`; this name stays importable (one module, two names)."""

import sys

from harness.report import verdicts as _moved

sys.modules[__name__] = _moved
