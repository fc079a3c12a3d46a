#!/bin/sh
# sync_progress.sh - the -Wait progress bar knows the mailbox from the start:
# Start-MigrationBatch -Wait on a terminal (script(1) gives it a pty) over a
# known corpus shows "N of TOTAL items" where TOTAL, once known, never
# changes and is the number of messages at the source (the engine counts the
# folders with STATUS before copying), with the bytes and an ETA.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"
command -v script >/dev/null 2>&1 || mg_skip "script(1) is not installed (bsdutils): no terminal for the progress bar"

mg_dovecot_start SRC --users "p1"
mg_dovecot_load_corpus SRC --seed 14 --messages 3000 --quiet
ms_trust
W=$MG_TMP/prog
mkdir -p "$W"
n_src=$(find "$SRC_MAIL/p1" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l | tr -d ' ')
[ "$n_src" -gt 1000 ] || mg_fail "the corpus has only $n_src messages"

ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl" Src
ms_csv "$W/p.csv" 'EmailAddress,UserName,Password' "p1@contoso.edu,p1,$MG_TEST_PASSWORD"
ms_ok "New-MigrationBatch -Name Prog -SourceEndpoint Src -CSVFile '$W/p.csv'" Prog
COLUMNS=400 timeout 600 script -qec "\"$MIGSH\" -c 'Start-MigrationBatch Prog -Wait | Format-List Status'" /dev/null \
	>"$W/out" 2>&1 </dev/null || mg_fail "Start-MigrationBatch -Wait failed: $(tail -c 2000 "$W/out")"
grep -q 'Status *: Synced' "$W/out" || mg_fail "the batch did not end Synced: $(tail -c 2000 "$W/out")"

# every state of the bar, in order
tr '\r' '\n' <"$W/out" | grep -o '[0-9]* of [0-9]* items.*' >"$W/bars" || :
nb=$(wc -l <"$W/bars" | tr -d ' ')
[ "$nb" -ge 2 ] || mg_fail "only $nb progress updates: $(cat "$W/out")"
sed 's/^\([0-9]*\) of \([0-9]*\) items.*/\2/' "$W/bars" | grep -v '^0$' | uniq >"$W/totals"
[ -s "$W/totals" ] || mg_fail "the bar never showed a total: $(cat "$W/bars")"
[ "$(wc -l <"$W/totals")" -eq 1 ] ||
	mg_fail "the total changed during the sync ($(tr '\n' ' ' <"$W/totals")): $(cat "$W/bars")"
[ "$(cat "$W/totals")" -eq "$n_src" ] ||
	mg_fail "the bar's total is $(cat "$W/totals"), the source has $n_src messages"
# bytes: Dovecot offers STATUS=SIZE
grep -q 'items, [0-9]* [KMG]B of [0-9]* [KMG]B' "$W/bars" || mg_fail "the bar shows no bytes: $(head -n 3 "$W/bars")"
# the items done only grow
sed 's/ of .*//' "$W/bars" | awk 'NR > 1 && $1 < prev { bad = 1 } { prev = $1 } END { exit bad }' ||
	mg_fail "the items done went backwards: $(cat "$W/bars")"
if grep -q 'left' "$W/bars"; then
	mg_log "ETA shown: $(grep -o 'about [0-9:]* left' "$W/bars" | head -n 1)"
elif [ "$nb" -ge 6 ]; then
	mg_fail "no ETA in $nb updates: $(cat "$W/bars")"
fi
mg_log "$nb progress updates, total $(cat "$W/totals") items from the first"
ms_check_service_logs
echo "sync_progress: ok"
