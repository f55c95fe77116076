#!/usr/bin/env bash
# The sync demo: installs what it needs, then syncs a generated mailbox between two local Dovecot servers.
source "$(dirname "$0")/bootstrap.sh" dovecot-imapd
cd "$TRANCHE_ROOT"
exec node scripts/demo-sync.mjs "$@"
