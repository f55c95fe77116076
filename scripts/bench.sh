#!/usr/bin/env bash
# Benchmarks: installs what it needs (Node 24, dovecot-imapd, postgresql, isync for the mbsync
# baseline), then runs them: copy speed against mbsync, the 2.1-million-mailbox import, the run, the
# planner, the dashboard and the soak generator.
source "$(dirname "$0")/bootstrap.sh" dovecot-imapd postgresql isync
cd "$TRANCHE_ROOT"
npm run --silent build
node scripts/bench.mjs "$@"
node scripts/bench-import.mjs
node scripts/bench-run.mjs
node scripts/bench-plan.mjs
node scripts/bench-workers.mjs
node scripts/bench-serve.mjs
node scripts/bench-soak.mjs
