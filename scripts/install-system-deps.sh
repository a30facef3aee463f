#!/usr/bin/env bash
# The system programs the test suite needs and npm cannot provide, installed
# when missing. `npm test` runs this first (inside the test script: .npmrc's
# ignore-scripts=true makes npm skip a `pretest`), so the README's one test
# command passes on a fresh Debian/Ubuntu machine; .ci/run calls npm test.
#
# Idempotent and quick: with everything present it only looks the programs
# up. Otherwise it installs the missing packages with apt-get (sudo when not
# root) and fails loudly, naming what is missing, when it cannot.
#
# Another apt-get or dpkg may be running (unattended-upgrades on a fresh
# machine, a second `npm test`): then this waits for its lock, saying so,
# for at most ADHESIVE_APT_LOCK_WAIT seconds (default 600), and fails naming
# the lock and the process holding it if it is never released.
set -euo pipefail

# One line per program: the program (a name on PATH or an absolute path) and
# the Debian package that provides it. To add one (chromium, say), add a line.
REQUIRED=(
  "/usr/sbin/sshd openssh-server" # the ssh workspace tests start one on 127.0.0.1
  "ssh-keygen openssh-client"     # throw-away host and user keys for it
  "tmux tmux"                     # the terminal user-task tests drive the real CLI in it
  "script bsdutils"               # gives the CLI a pseudo-terminal in the colour tests
  "/usr/bin/chromium chromium"    # the live-view tests drive it with playwright-core (never a downloaded browser)
  "/usr/bin/redis-server redis-server" # the store tests start one on 127.0.0.1 (test/store/redis-server.ts)
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

# ---- the apt/dpkg locks ------------------------------------------------------

# The locks apt-get and dpkg take (fcntl locks: the files stay when nobody holds them).
APT_LOCKS=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock)
LOCK_WAIT=${ADHESIVE_APT_LOCK_WAIT:-600}
if ! [[ $LOCK_WAIT =~ ^[0-9]+$ ]]; then
  echo "install-system-deps: ADHESIVE_APT_LOCK_WAIT must be a number of seconds, got \"$LOCK_WAIT\"" >&2
  exit 2
fi
# one deadline for the whole install, however many times apt-get has to wait
DEADLINE=$((SECONDS + LOCK_WAIT))

# Prints "<lock file> held by process <pid> (<name>)" for the first apt/dpkg
# lock someone holds, nothing when all are free. Reads /proc/locks, which
# needs neither root nor fuser/lsof. On overlayfs (containers) the lock's
# device is the overlay's while stat shows the layer's, so there only the
# inode is compared.
apt_lock_holder() {
  [ -r /proc/locks ] || return 0
  local lock dev ino major minor fs kind pid name
  for lock in "${APT_LOCKS[@]}"; do
    [ -e "$lock" ] || continue
    read -r dev ino < <(stat -L -c '%d %i' "$lock") || continue
    major=$(( ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfff) ))
    minor=$(( (dev & 0xff) | ((dev >> 12) & ~0xff) ))
    fs=$(stat -f -L -c %T "$lock" 2>/dev/null || true)
    # "1: POSIX  ADVISORY  WRITE 1234 fe:00:402117 0 EOF"; waiters' lines have "->" after the number
    while read -r _ kind _ _ pid where _; do
      [ "$kind" = "->" ] && continue
      if [ "$where" = "$(printf '%02x:%02x:%s' "$major" "$minor" "$ino")" ] || { [ "$fs" = overlayfs ] && [ "${where##*:}" = "$ino" ]; }; then
        if [ "$pid" -gt 0 ] 2>/dev/null; then
          name=$(cat "/proc/$pid/comm" 2>/dev/null || echo "gone by now")
          echo "$lock held by process $pid ($name)"
        else
          echo "$lock held (by an open file description, no process id)"
        fi
        return 0
      fi
    done </proc/locks
  done
}

lock_never_freed() {
  echo "install-system-deps: gave up after waiting ${LOCK_WAIT} s for the apt/dpkg lock: $1." >&2
  echo "install-system-deps: another apt-get or dpkg (unattended-upgrades?) kept running; let it finish and run npm test again, install ${missing_packages[*]} yourself, or wait longer with ADHESIVE_APT_LOCK_WAIT=<seconds>" >&2
  exit 1
}

# Waits until no apt/dpkg lock is held, saying so every 15 s; fails at the deadline.
wait_for_apt_locks() {
  local holder next_note=$SECONDS
  while holder=$(apt_lock_holder) && [ -n "$holder" ]; do
    [ $SECONDS -ge $DEADLINE ] && lock_never_freed "$holder"
    if [ $SECONDS -ge $next_note ]; then
      echo "install-system-deps: waiting for the apt/dpkg lock: $holder (another apt-get or dpkg is running); giving up in $((DEADLINE - SECONDS)) s" >&2
      next_note=$((SECONDS + 15))
    fi
    sleep 1
  done
}

# apt-get "$@" once the locks are free. apt-get itself waits for the dpkg
# lock up to the time left (DPkg::Lock::Timeout, apt >= 1.9.11), but not for
# the lists lock of `apt-get update`, and the lock may be taken between the
# check and the call: a run that failed only for a lock goes again.
ERRORS=$(mktemp)
trap 'rm -f "$ERRORS"' EXIT
apt_get() {
  local holder status
  while :; do
    wait_for_apt_locks
    set +e
    # stderr goes to the terminal and to $ERRORS; LC_ALL=C: apt's lock messages in English, to recognise them
    { ${SUDO[@]+"${SUDO[@]}"} env LC_ALL=C apt-get -o "DPkg::Lock::Timeout=$((DEADLINE > SECONDS ? DEADLINE - SECONDS : 0))" "$@" 2>&1 1>&3 3>&- | tee "$ERRORS" >&2 3>&-; } 3>&1
    status=${PIPESTATUS[0]}
    set -e
    [ "$status" -eq 0 ] && return 0
    grep -qE "Could not get lock|Unable to (lock|acquire)" "$ERRORS" || return "$status"
    if [ $SECONDS -ge $DEADLINE ]; then
      holder=$(apt_lock_holder)
      lock_never_freed "${holder:-$(grep -m1 -oE 'Could not get lock .*' "$ERRORS")}"
    fi
    echo "install-system-deps: apt-get $1 found its lock taken; trying again" >&2
    sleep 1
  done
}

apt_get update -qq
apt_get install -y -qq --no-install-recommends "${missing_packages[@]}"

for program in "${missing_programs[@]}"; do
  if ! present "$program"; then
    echo "install-system-deps: installed ${missing_packages[*]}, but $program is still not there" >&2
    exit 1
  fi
done
echo "install-system-deps: installed ${missing_packages[*]}" >&2
