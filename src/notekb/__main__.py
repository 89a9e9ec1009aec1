"""`python -m notekb …`: the `notekb` command (notekb.cli)."""

import sys

from notekb.cli import main

sys.exit(main())
