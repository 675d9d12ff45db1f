"""``python -m blastshield``."""

import sys

from blastshield.cli.__main__ import main

sys.exit(main())
