#!/usr/bin/env bash
# Installs the system packages the test suite needs and that pip cannot give:
# Debian's chromium for the browser tests, promtool (package prometheus) for the
# alert rules, gettext for translations. Idempotent; quiet when all is there.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v promtool >/dev/null || need+=(prometheus)
command -v msgfmt >/dev/null || need+=(gettext)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "warning: missing ${need[*]}; install them with apt (the tests that need them will fail)" >&2
  fi
fi
