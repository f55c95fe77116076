#!/usr/bin/env bash
# Benchmarks: installs what it needs (Node 24, dovecot-imapd, postgresql, isync for the mbsync
# baseline, radicale and xandikos for the DAV copy), then runs the copy benchmark against mbsync
# (~20 min). With --all, the programme-scale ones too (the 2.1-million-mailbox import, the run, the
# planner, workers, the dashboard and the soak generator: another ~15 min) and the DAV copy of 2,000
# events and 2,000 contacts against a plain GET/PUT copy (5 runs of four 4,000-item copies; one copy
# took 20-25 min here under load 14-23); each rewrites only its own section of docs/benchmarks.md.
source "$(dirname "$0")/bootstrap.sh" dovecot-imapd postgresql isync radicale xandikos
cd "$TRANCHE_ROOT"
npm run --silent build
all=0
args=()
for a in "$@"; do
  if [ "$a" = "--all" ]; then all=1; else args+=("$a"); fi
done
node scripts/bench.mjs "${args[@]}"
if [ "$all" = 1 ]; then
  node scripts/bench-import.mjs
  node scripts/bench-run.mjs
  node scripts/bench-plan.mjs
  node scripts/bench-workers.mjs
  node scripts/bench-serve.mjs
  node scripts/bench-soak.mjs
  node scripts/bench-dav.mjs 2000 2000 --runs 5
fi
