#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, lints, runs every test against real servers.
source "$(dirname "$0")/bootstrap.sh" dovecot-imapd postgresql chromium radicale xandikos
cd "$TRANCHE_ROOT"
npm run --silent build
npm run --silent lint
node scripts/run-tests.mjs "$@"
