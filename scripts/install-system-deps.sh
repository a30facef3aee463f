#!/usr/bin/env bash
# The system programs the test suite needs and npm cannot provide, installed
# when missing. `npm test` runs this first (inside the test script: .npmrc's
# ignore-scripts=true makes npm skip a `pretest`), so the README's one test
# command passes on a fresh Debian/Ubuntu machine; .ci/run calls npm test.
#
# Idempotent and quick: with everything present it only looks the programs
# up. Otherwise it installs the missing packages with apt-get (sudo when not
# root) and fails loudly, naming what is missing, when it cannot.
set -euo pipefail

# One line per program: the program (a name on PATH or an absolute path) and
# the Debian package that provides it. To add one (chromium, say), add a line.
REQUIRED=(
  "/usr/sbin/sshd openssh-server" # the ssh workspace tests start one on 127.0.0.1
  "ssh-keygen openssh-client"     # throw-away host and user keys for it
  "tmux tmux"                     # the terminal user-task tests drive the real CLI in it
  "script bsdutils"               # gives the CLI a pseudo-terminal in the colour tests
  "/usr/bin/chromium chromium"    # the live-view tests drive it with playwright-core (never a downloaded browser)
)

present() {
  if [[ $1 == /* ]]; then [ -x "$1" ]; else command -v "$1" >/dev/null 2>&1; fi
}

missing_programs=()
missing_packages=()
for entry in "${REQUIRED[@]}"; do
  read -r program package <<<"$entry"
  if ! present "$program"; then
    missing_programs+=("$program")
    missing_packages+=("$package")
  fi
done
[ ${#missing_programs[@]} -eq 0 ] && exit 0

echo "install-system-deps: missing ${missing_programs[*]}; installing ${missing_packages[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: apt-get is not available: install ${missing_packages[*]} (or your system's equivalents) yourself" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-system-deps: not root and no sudo: install ${missing_packages[*]} as root" >&2
    exit 1
  fi
  # sudo resets the environment: pass DEBIAN_FRONTEND through env
  SUDO=(sudo env DEBIAN_FRONTEND=noninteractive)
fi
export DEBIAN_FRONTEND=noninteractive
${SUDO[@]+"${SUDO[@]}"} apt-get update -qq
${SUDO[@]+"${SUDO[@]}"} apt-get install -y -qq --no-install-recommends "${missing_packages[@]}"

for program in "${missing_programs[@]}"; do
  if ! present "$program"; then
    echo "install-system-deps: installed ${missing_packages[*]}, but $program is still not there" >&2
    exit 1
  fi
done
echo "install-system-deps: installed ${missing_packages[*]}" >&2
