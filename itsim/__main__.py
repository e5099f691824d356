"""``python -m itsim`` is the ``itsim`` command."""
import sys

from .cli import main

sys.exit(main())
