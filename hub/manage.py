"""The `systraite-hub` command: Django's manage.py for the hub project."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.config.settings")
    from django.core.management import execute_from_command_line

    from shared.env import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError as exc:
        # A wrong setting stops start-up with one line naming the variable.
        sys.exit(f"systraite-hub: configuration error: {exc}")


if __name__ == "__main__":
    main()
