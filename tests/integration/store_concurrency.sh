#!/bin/sh
# store_concurrency.sh - the state store (SQLite) used by several processes at
# once, as admins do (issue 12): the service migrates 100 users at once (100
# concurrent copies) while a loop of Get-MigrationBatch / Get-MigrationUser /
# Set-MigrationUser runs beside it, and two shells change the same batch at
# the same time: every command succeeds, no change is lost, every user ends
# Synced with all its mail.  (kill -9 of New-/Remove-MigrationBatch:
# store_kill.sh.)
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

W=$MG_TMP/sc
mkdir -p "$W"

# ---- the service with 100 concurrent users, and shells beside it
N=100
USERS=$(awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "c%03d ", i }')
mg_dovecot_start SRC --users "$USERS"
mg_dovecot_load_corpus SRC --seed 12 --messages 5 --quiet
ms_trust
PW=$MG_TEST_PASSWORD
ms_ok "Set-MigrationConfig -MaxConcurrentMigrations 100" >/dev/null
ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl -MaxConcurrentMigrations 100" Src
{
	echo 'EmailAddress,UserName,Password'
	for u in $USERS; do echo "$u@contoso.edu,$u,$PW"; done
} >"$W/c.csv"
ms_ok "New-MigrationBatch -Name C -SourceEndpoint Src -CSVFile '$W/c.csv' -AutoStart" C

# the service's status is read from the store (no service.yaml): while it
# copies, Get-MigrationService and Get-MigrationEndpoint count its copies
seen=""
for i in $(seq 1 100); do
	ms_ok '$s = Get-MigrationService; "$($s.Status) $($s.ActiveInitialSyncs) $((Get-MigrationEndpoint Src).ActiveMigrationCount)"'
	case "$OUT" in "Running 0 "* | *" 0" | "") ;; Running*) seen=$OUT; break ;; esac
	sleep 0.1
done
[ -n "$seen" ] || mg_fail "Get-MigrationService / Get-MigrationEndpoint never showed a running copy (last: $OUT)"
echo "store_concurrency: while copying: service, initial syncs, endpoint's active count: $seen"
[ ! -e "$MIGSH_HOME/service.yaml" ] || mg_fail "the service wrote service.yaml: its status belongs in migsh.db"

# shell 1: reads and a per-user change, in a loop
reader() {
	i=0
	while [ ! -e "$W/stop" ] && [ "$i" -lt 400 ]; do
		i=$((i + 1))
		u=$(printf 'c%03d' $((i % N + 1)))
		"$MIGSH" -c "Get-MigrationBatch C | Out-Null; Get-MigrationUser -BatchId C | Measure-Object | Out-Null; Set-MigrationUser $u@contoso.edu -CompleteAfter '2030-01-01 00:00:00Z'" \
			>>"$W/reader.out" 2>&1 || echo "FAILED ($i): $u" >>"$W/reader.fail"
		echo "$u" >>"$W/reader.done"
	done
}
# shells 2 and 3: change two settings of the same batch at the same time
setter() { # PARAM VALUES... : sets them in turn, last one wins
	p=$1
	shift
	for v in "$@"; do
		"$MIGSH" -c "Set-MigrationBatch C -$p $v" >>"$W/set-$p.out" 2>&1 || echo "FAILED: -$p $v" >>"$W/set.fail"
	done
}
reader &
rpid=$!
setter ReportInterval 1.00:00:00 2.00:00:00 3.00:00:00 4.00:00:00 5.00:00:00 6.00:00:00 &
s1=$!
setter NotificationEmails a1@contoso.edu a2@contoso.edu a3@contoso.edu a4@contoso.edu a5@contoso.edu a6@contoso.edu &
s2=$!
wait "$s1" "$s2"
ms_wait_batch C Synced 600
touch "$W/stop"
wait "$rpid"

[ ! -s "$W/set.fail" ] || { cat "$W/set.fail" "$W"/set-*.out; mg_fail "Set-MigrationBatch failed while the service ran (above)"; }
[ ! -s "$W/reader.fail" ] || { head -20 "$W/reader.fail"; tail -20 "$W/reader.out"; mg_fail "a command of the loop failed while the service ran"; }
loops=$(wc -l <"$W/reader.done")
[ "$loops" -ge 5 ] || mg_fail "the loop beside the service ran only $loops times"
# no lost update: both shells' last values are there
ms_ok "(Get-MigrationBatch C).ReportInterval.ToString()" '^6\.00:00:00$'
ms_ok "(Get-MigrationBatch C).NotificationEmails" '^a6@contoso.edu$'
# every user the loop changed kept the change, though the service wrote it meanwhile
for u in $(sort -u "$W/reader.done" | head -20); do
	ms_ok "(Get-MigrationUser $u@contoso.edu).CompleteAfter -ne \$null" '^True$'
done
# every user Synced with all its mail
ms_ok "(Get-MigrationBatch C).SyncedCount" "^$N\$"
for u in $USERS; do
	src=$(find "$SRC_MAIL/$u" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l)
	dst=$(find "$MIGSH_HOME/mail/$u@contoso.edu" -type f \( -path '*/cur/*' -o -path '*/new/*' \) 2>/dev/null | wc -l)
	[ "$src" -eq "$dst" ] || mg_fail "$u: $dst messages at the destination, $src at the source"
done
echo "store_concurrency: $loops loops of Get-MigrationBatch/Get-MigrationUser/Set-MigrationUser beside the service"
ms_check_service_logs
echo "store_concurrency: ok"
