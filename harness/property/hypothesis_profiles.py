"""Hypothesis profiles for the property suites: `ci`, `dev` (default) and `thorough`.

Registered when the pytest plugin is imported, so Hypothesis's own
`--hypothesis-profile NAME` option finds them. Why three: a CI gate needs a
bounded, reproducible run (`ci` derandomizes, so the same server gives the same
verdict every time); a developer wants a quick run that still explores and
remembers failures (`dev`, with the example database under `.hypothesis/`, so a
failure found once is retried first on the next run); `thorough` is for a
nightly job or a release.

Every profile has `deadline=None`: the time a step takes is the server's, and
hangs are judged by the harness timeout (LIVE-01), never by Hypothesis.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

DEFAULT_PROFILE = "dev"
DATABASE_DIR = ".hypothesis/examples"
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]

PROFILES: dict[str, dict] = {
    "ci": {
        "max_examples": 25,
        "stateful_step_count": 10,
        "derandomize": True,
        "database": None,
        "deadline": None,
        "print_blob": True,
        "suppress_health_check": _SLOW_OK,
    },
    "dev": {
        "max_examples": 20,
        "stateful_step_count": 10,
        "deadline": None,
        "print_blob": True,
        "suppress_health_check": _SLOW_OK,
    },
    "thorough": {
        "max_examples": 500,
        "stateful_step_count": 40,
        "deadline": None,
        "print_blob": True,
        "suppress_health_check": _SLOW_OK,
    },
}
# Seconds a property run may spend before it stops starting new examples
# (shrinking stops too, keeping the smallest failing example found so far).
BUDGET_SECONDS = {"ci": 60.0, "dev": 60.0, "thorough": 1800.0}
# Profiles whose budget also scales with the server's speed (machine.py: SPEED_BUDGET_FACTOR):
# the default and CI runs are gates; `thorough` explores for as long as its budget allows.
SPEED_SCALED = {"ci": True, "dev": True, "thorough": False}
# Server restarts (after a crash or a hang) a property run may make; then it stops.
MAX_RESTARTS = {"ci": 25, "dev": 25, "thorough": 100}


def register() -> None:
    """Register the profiles (idempotent); dev/thorough keep the example database."""
    for name, values in PROFILES.items():
        options = dict(values)
        if "database" not in options:
            options["database"] = DirectoryBasedExampleDatabase(DATABASE_DIR)
        settings.register_profile(name, **options)


def profile_settings(name: str | None) -> tuple[str, settings]:
    """The profile to use: the one named (e.g. by `--hypothesis-profile`), else `dev`.

    Hypothesis's built-in `default` profile counts as "none chosen".
    """
    register()
    chosen = name if name and name != "default" else DEFAULT_PROFILE
    return chosen, settings.get_profile(chosen)


register()
