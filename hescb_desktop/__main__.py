"""`python -m hescb_desktop` behaves like the `hescb-desktop` command."""

import sys

from hescb_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
