"""``python -m crawler.cli``: the ``nianbao`` command (tests and the scheduler run it this way)."""

from crawler.cli import main

main()
