#!/usr/bin/env bash
# mypy with django-stubs over the node, the hub and the contract they share.
# The node and the hub are two Django projects, so two runs, each with its own
# settings (the plugin reads DJANGO_SETTINGS_MODULE) and its own cache.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export SYSTRAITE_ENV=${SYSTRAITE_ENV:-test}
DJANGO_SETTINGS_MODULE=node.config.settings "$BIN/mypy" --cache-dir .mypy_cache/node node shared
DJANGO_SETTINGS_MODULE=hub.config.settings "$BIN/mypy" --cache-dir .mypy_cache/hub hub shared
