"""Moved to `harness.property.hypothesis_profiles`; this name stays importable (one module, two names)."""

import sys

from harness.property import hypothesis_profiles as _moved

sys.modules[__name__] = _moved
