#!/usr/bin/env bash
# Benchmarks: installs what it needs (Node 24, dovecot-imapd, isync for the mbsync baseline), then runs them.
source "$(dirname "$0")/bootstrap.sh" dovecot-imapd isync
cd "$TRANCHE_ROOT"
npm run --silent build
exec node scripts/bench.mjs "$@"
