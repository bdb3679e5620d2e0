#!/usr/bin/env bash
# Makes sure the browser tests (tests/browser) have Debian's headless Chromium and a Chinese font to
# draw the portal with: install with apt where missing and we are root, otherwise say what to install.
# Playwright drives /usr/bin/chromium directly; it never downloads a browser of its own.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} = 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "the browser tests need: ${missing[*]}. Install as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]} with apt-get"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
