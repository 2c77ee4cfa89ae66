#!/usr/bin/env bash
# Makes sure Debian's Chromium (browser tests) and poppler-utils (pdftotext/pdftoppm, used to
# check generated PDFs) are installed. Installs them when running as root on Debian/Ubuntu;
# anywhere else, says exactly what to install.
set -euo pipefail
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ] && command -v pdftotext >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium and poppler-utils packages for the tests…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium poppler-utils >/dev/null
  exit 0
fi
cat >&2 <<MSG
The tests need Chromium at $CHROMIUM and poppler-utils (pdftotext).
On Debian or Ubuntu, install them with:   sudo apt-get install chromium poppler-utils
Elsewhere, install Chromium and set CHROMIUM_PATH to its executable.
MSG
exit 1
