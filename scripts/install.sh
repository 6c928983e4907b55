#!/usr/bin/env bash
# One-step set-up on a fresh machine: a virtual environment with the CPU build of torch and the package,
# and a Hangul font so previews and contact sheets show their Korean captions.
# Usage: bash scripts/install.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian/Ubuntu's fonts-nanum (NanumGothic, SIL Open Font License) where apt-get can install it; elsewhere
# any font fontconfig lists for Korean works (data/preview.py). Never fatal: the package runs without it.
install_hangul_font() {
  if ! command -v apt-get >/dev/null 2>&1; then
    fc-list :lang=ko 2>/dev/null | grep -q . || echo "note: no Hangul font; install one (e.g. Noto Sans CJK) for captions in previews" >&2
    return 0
  fi
  dpkg -s fonts-nanum >/dev/null 2>&1 && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "note: run 'apt-get install fonts-nanum' as root for Korean captions in previews" >&2
      return 0
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -qq fonts-nanum >/dev/null 2>&1 \
    || { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq fonts-nanum >/dev/null 2>&1; } \
    || echo "note: could not install fonts-nanum; previews will write their captions to .txt files" >&2
}
install_hangul_font

# The browser test drives Debian's chromium through PyPI's playwright (never `playwright install`, which
# downloads browsers). Never fatal: without chromium the test skips and says why.
install_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  command -v apt-get >/dev/null 2>&1 || { echo "note: no chromium; the browser test will skip" >&2; return 0; }
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "note: run 'apt-get install chromium' as root for the browser test" >&2
      return 0
    fi
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
    || { $sudo apt-get update -qq >/dev/null 2>&1 \
         && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; } \
    || echo "note: could not install chromium; the browser test will skip" >&2
}

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# Pin torch first: an unpinned torch would pull a multi-GB CUDA build; 2.13.0 is the local CPU build.
.venv/bin/python -m pip install -q torch==2.13.0
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install -q -e ".[app,dev]"
  install_chromium
else
  .venv/bin/python -m pip install -q -e ".[app]"
fi
