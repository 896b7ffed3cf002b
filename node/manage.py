"""The `systraite-node` command: Django's manage.py for the node project."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "node.config.settings")
    from django.core.management import execute_from_command_line

    from shared.env import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError as exc:
        # A wrong setting stops start-up with one line naming the variable.
        sys.exit(f"systraite-node: configuration error: {exc}")


if __name__ == "__main__":
    main()
