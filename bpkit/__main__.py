"""``python -m bpkit`` is the same as the ``bpkit`` command."""

import sys

from bpkit.cli import main

sys.exit(main())
