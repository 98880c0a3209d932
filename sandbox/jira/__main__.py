"""Entry point: `python -m sandbox.jira --port N --seed S --token T --admin-token A`."""

import sys

from sandbox.jira.cli import main

sys.exit(main())
