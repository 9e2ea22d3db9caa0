"""``python -m market_warehouse.qa``: run the expectation checkpoint."""

import sys

from market_warehouse.qa.cli import main

sys.exit(main())
