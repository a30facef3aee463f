#!/usr/bin/env bash
# Installs the system packages the test suite needs and npm cannot provide:
# the OpenSSH server (sshd) and client tools (ssh-keygen) that the ssh
# workspace tests start on 127.0.0.1, and tmux, through which the terminal
# user-task tests drive the real CLI, and chromium, which the live-view tests
# drive through playwright-core (never a downloaded browser). Idempotent:
# does nothing when they are already there. Uses apt-get (Debian/Ubuntu); sudo only when not root.
set -euo pipefail

have_sshd() {
  [ -x /usr/sbin/sshd ] || command -v sshd >/dev/null 2>&1
}

have_chromium() {
  [ -x /usr/bin/chromium ]
}

if have_sshd && command -v ssh-keygen >/dev/null 2>&1 && command -v tmux >/dev/null 2>&1 && have_chromium; then
  echo "install-system-deps: sshd, ssh-keygen, tmux and chromium already present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: sshd or ssh-keygen is missing and apt-get is not available;" >&2
  echo "install the OpenSSH server and client with your system's package manager" >&2
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-system-deps: not root and sudo is not available; cannot install openssh-server" >&2
    exit 1
  fi
  # sudo resets the environment: pass DEBIAN_FRONTEND through env
  SUDO=(sudo env DEBIAN_FRONTEND=noninteractive)
fi

export DEBIAN_FRONTEND=noninteractive
${SUDO[@]+"${SUDO[@]}"} apt-get update
${SUDO[@]+"${SUDO[@]}"} apt-get install -y --no-install-recommends openssh-server openssh-client tmux chromium

if ! have_sshd; then
  echo "install-system-deps: openssh-server was installed but sshd is still not found" >&2
  exit 1
fi
if ! have_chromium; then
  echo "install-system-deps: chromium was installed but /usr/bin/chromium is still not found" >&2
  exit 1
fi
echo "install-system-deps: installed openssh-server, openssh-client, tmux and chromium"
