"""`python -m notekb.cli`: the `notekb` command."""

import sys

from notekb.cli import main

sys.exit(main())
