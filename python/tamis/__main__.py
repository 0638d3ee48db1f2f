"""``python -m tamis`` runs the command line."""

import sys

from tamis.cli import main

sys.exit(main())
