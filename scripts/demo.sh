#!/usr/bin/env bash
# The demo (the README's first command): installs what it needs, then runs a whole sample programme —
# three organisations, 60 mailboxes on a local source Dovecot, a local target — on a simulated clock.
source "$(dirname "$0")/bootstrap.sh" dovecot-imapd
cd "$TRANCHE_ROOT"
exec node scripts/demo.mjs "$@"
