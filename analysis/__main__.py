"""Entry point of ``python -m analysis`` and the ``jejak-analysis`` console script."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
