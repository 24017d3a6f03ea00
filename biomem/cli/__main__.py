"""``python -m biomem.cli``: the same as the ``biomem`` command."""

import sys

from biomem.cli.main import main

sys.exit(main())
