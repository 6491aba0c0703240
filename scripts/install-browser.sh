#!/usr/bin/env bash
# Installs Debian's chromium for the report tests (Microsoft.Playwright drives it through
# LaunchOptions.ExecutablePath=/usr/bin/chromium; no browser build is downloaded).
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root (CI runs as root).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser.sh: /usr/bin/chromium is missing and this is not root; run: sudo apt-get install -y chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
test -x /usr/bin/chromium
