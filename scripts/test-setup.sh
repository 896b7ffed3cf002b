#!/usr/bin/env bash
# Installs the system packages the test suite needs and that pip cannot give:
# Debian's chromium for the browser tests. Idempotent; quiet when all is there.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "warning: missing ${need[*]}; install them with apt (browser tests will be skipped)" >&2
  fi
fi
