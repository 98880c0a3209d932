"""`python -m sandbox` is `mcp-sandbox`."""

import sys

from sandbox.cli import main

sys.exit(main())
