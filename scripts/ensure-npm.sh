#!/usr/bin/env bash
# Makes sure `npm` is on PATH for the build (the reports inline Chart.js fetched from npm).
# On a machine without it, installs Debian's nodejs and npm packages (needs root, as CI has);
# elsewhere it says what to install and fails, so the build stops with that message.
set -euo pipefail
if command -v npm >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "berth build: npm not found; installing Debian's nodejs and npm" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq nodejs npm >/dev/null
  exit 0
fi
echo "berth build: npm is needed to fetch Chart.js for the reports; install Node.js and npm (Debian: apt-get install nodejs npm) and build again" >&2
exit 1
