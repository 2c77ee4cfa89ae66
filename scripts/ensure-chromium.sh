#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests. Installs it when running as
# root on Debian/Ubuntu; anywhere else, says exactly what to install.
set -euo pipefail
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium package for the browser tests…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
cat >&2 <<MSG
The browser tests need Chromium at $CHROMIUM.
On Debian or Ubuntu, install it with:   sudo apt-get install chromium
Elsewhere, install Chromium and set CHROMIUM_PATH to its executable.
MSG
exit 1
