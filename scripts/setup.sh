#!/usr/bin/env bash
# Prepare this machine for HESCB Desktop development; called by `make setup`.
#
#   scripts/setup.sh system [EXTRA-PACKAGE...]   Debian packages Qt, PyInstaller and the tests need
#   scripts/setup.sh venv DIR                    create the virtualenv DIR with Python 3.11+
#
# Idempotent and quick when nothing is missing. As root, missing Debian packages are installed
# with apt-get; otherwise the exact `sudo apt-get install` line is printed and the script fails.
set -euo pipefail

# Offscreen Qt (libGL is a hard dependency of QtGui), fonts, PyInstaller's objdump, pdftotext.
BASE_PACKAGES=(libgl1 libegl1 libglib2.0-0 libfontconfig1 libfreetype6 libxkbcommon0
  libdbus-1-3 libx11-6 fonts-dejavu-core binutils poppler-utils)

say() { printf 'setup: %s\n' "$*" >&2; }

# Debian packages among "$@" that are not installed.
missing_packages() {
  local pkg status
  for pkg in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
    [[ $status == ii* ]] || printf '%s\n' "$pkg"
  done
}

# Install the missing ones among "$@" (root), or print the command and fail (anyone else).
ensure_packages() {
  if ! command -v dpkg-query >/dev/null; then
    say "not a Debian-like system: make sure Qt's libraries (libGL, fontconfig, xkbcommon) are there"
    return 0
  fi
  local missing
  mapfile -t missing < <(missing_packages "$@")
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    say "missing Debian packages; install them with:"
    printf '  sudo apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
    exit 1
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

# First `python3.X`/`python3` on PATH that runs and is 3.11 or newer (or $PYTHON if set).
find_python() {
  local candidates=(python3.11 python3.12 python3.13 python3.14 python3)
  [[ -n ${PYTHON:-} ]] && candidates=("$PYTHON")
  local py
  for py in "${candidates[@]}"; do
    command -v "$py" >/dev/null || continue
    if "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$py"
      return 0
    fi
  done
  say "no Python 3.11 or newer on PATH (tried ${candidates[*]}); set PYTHON=/path/to/python3.11"
  exit 1
}

make_venv() {
  local dir=$1
  if [[ -x $dir/bin/python ]] && "$dir/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    return 0
  fi
  local py
  py=$(find_python)
  if ! "$py" -c 'import ensurepip, venv' 2>/dev/null; then
    # Debian's own Python ships venv/ensurepip separately.
    ensure_packages "python$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
  fi
  say "creating $dir with $py ($("$py" --version 2>&1))"
  rm -rf "$dir"
  "$py" -m venv "$dir"
}

case ${1:-} in
  system) shift; ensure_packages "${BASE_PACKAGES[@]}" "$@" ;;
  venv) make_venv "${2:?usage: setup.sh venv DIR}" ;;
  *) echo "usage: $0 system [EXTRA-PACKAGE...] | venv DIR" >&2; exit 2 ;;
esac
