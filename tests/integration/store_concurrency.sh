#!/bin/sh
# store_concurrency.sh - the state store (SQLite) used by several processes at
# once, as admins do (issue 12):
#  1. kill -9 in the middle of New-MigrationBatch (a 20,000-user CSV) leaves
#     either the whole batch or nothing, at several points in time;
#  2. kill -9 in the middle of Remove-MigrationBatch leaves either the whole
#     batch or nothing;
#  3. the service migrates 100 users at once (100 concurrent copies) while
#     a loop of Get-MigrationBatch / Get-MigrationUser / Set-MigrationUser
#     runs beside it, and two shells change the same batch at the same time:
#     every command succeeds, no change is lost, every user ends Synced with
#     all its mail.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

W=$MG_TMP/sc
mkdir -p "$W"
ms_ok "New-MigrationEndpoint -IMAP -Name Dead -RemoteServer 127.0.0.1 -Port $(mg_free_ports 1) -SkipVerification" Dead

big_csv() { # FILE PREFIX COUNT
	awk -v n="$3" -v p="$2" 'BEGIN {
		print "EmailAddress,UserName,Password"
		for (i = 1; i <= n; i++) printf "%s%05d@contoso.edu,%s%05d,pw%d\n", p, i, p, i, i
	}' >"$1"
}
N_BIG=20000
big_csv "$W/big.csv" k "$N_BIG"

# total users in the store, and whether batch K exists
users_total() { ms_ok "(Get-MigrationStatistics).TotalCount"; printf '%s\n' "$OUT"; }
batch_users() { # NAME: its TotalCount, or "none"
	"$MIGSH" -c "(Get-MigrationBatch $1).TotalCount" >"$W/bu.out" 2>"$W/bu.err" || :
	if grep -qx '[0-9][0-9]*' "$W/bu.out"; then cat "$W/bu.out"
	elif grep -q "couldn't be found" "$W/bu.err"; then echo none
	else cat "$W/bu.out" "$W/bu.err"; fi
}

# ---- 1. kill -9 during New-MigrationBatch
killed_midway=0
for delay in 0.1 0.3 0.6 1.0 1.5; do
	"$MIGSH" -c "New-MigrationBatch -Name K -SourceEndpoint Dead -CSVFile '$W/big.csv'" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null || :
		killed_midway=$((killed_midway + 1))
	fi
	wait "$pid" 2>/dev/null || :
	got=$(batch_users K)
	total=$(users_total)
	case "$got" in
	none) [ "$total" -eq 0 ] || mg_fail "New-MigrationBatch killed after ${delay}s: no batch K but $total users left behind" ;;
	"$N_BIG") [ "$total" -eq "$N_BIG" ] || mg_fail "New-MigrationBatch killed after ${delay}s: batch K with $total users in the store" ;;
	*) mg_fail "New-MigrationBatch killed after ${delay}s: batch K half-created ($got of $N_BIG users)" ;;
	esac
	# the store is usable afterwards: remove what is there and go on
	[ "$got" = none ] || ms_ok "Remove-MigrationBatch K -Confirm:\$false"
done
[ "$killed_midway" -ge 2 ] || echo "note: New-MigrationBatch finished before most kills ($killed_midway killed while running)"

# ---- 2. kill -9 during Remove-MigrationBatch
killed_midway=0
for delay in 0.05 0.2 0.5; do
	ms_ok "New-MigrationBatch -Name K -SourceEndpoint Dead -CSVFile '$W/big.csv'" K
	"$MIGSH" -c "Remove-MigrationBatch K -Confirm:\$false" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null || :
		killed_midway=$((killed_midway + 1))
	fi
	wait "$pid" 2>/dev/null || :
	got=$(batch_users K)
	total=$(users_total)
	case "$got" in
	none) [ "$total" -eq 0 ] || mg_fail "Remove-MigrationBatch killed after ${delay}s: batch gone but $total users left" ;;
	"$N_BIG") [ "$total" -eq "$N_BIG" ] || mg_fail "Remove-MigrationBatch killed after ${delay}s: $total users for a whole batch" ;;
	*) mg_fail "Remove-MigrationBatch killed after ${delay}s: batch K half-removed ($got of $N_BIG users)" ;;
	esac
	[ "$got" = none ] || ms_ok "Remove-MigrationBatch K -Confirm:\$false"
done
[ "$killed_midway" -ge 1 ] || echo "note: Remove-MigrationBatch finished before every kill"
ms_ok "Remove-MigrationEndpoint Dead -Confirm:\$false"

# ---- 3. the service with 100 concurrent users, and shells beside it
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
