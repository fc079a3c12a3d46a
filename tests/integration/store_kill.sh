#!/bin/sh
# store_kill.sh - kill -9 of New-MigrationBatch and Remove-MigrationBatch
# while they hold the state store's write transaction (issue 12): afterwards
# the batch is there whole or not at all - never half-created, never
# half-removed - and the store works.
#
# A kill after a fixed delay mostly lands before or after the transaction
# (reading the CSV, starting the process, exiting), so each kill here is
# timed on the transaction itself: SQLite in WAL mode holds the WAL write
# lock - a POSIX lock on byte 120 of migsh.db-shm (WAL_WRITE_LOCK of
# SQLite's WAL-index format) - from BEGIN IMMEDIATE to the end of COMMIT,
# and /proc/locks shows who holds it.  The test first measures how long each
# command holds it when left alone, then kills it at 0, 1/8, 1/4, 1/2 and
# 3/4 of that time after it took the lock (if it still holds it), and
# counts the kills that landed inside the transaction: at least one of each
# command must have, or the test tested nothing and fails.
#
# What must hold after every kill (read with the sqlite3 shell):
#   New-:     batch K absent and no user of it, or K with all N_BIG users;
#   Remove-:  K with all N_BIG users and nothing scheduled for clean-up, or
#             K, its users and its reports gone and all N_BIG users' sync
#             state scheduled for the service's background clean-up;
#   always:   no user without its batch; migsh reads the store (Get-
#             MigrationBatch, Get-MigrationStatistics agree with the database).
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || mg__need "the sqlite3 shell is not installed (apt-get install sqlite3)"
[ -r /proc/locks ] || mg_skip "no /proc/locks on this system: the kills cannot be timed on the transaction"

W=$MG_TMP/sk
mkdir -p "$W"
DB=$MIGSH_HOME/migsh.db
ms_ok "New-MigrationEndpoint -IMAP -Name Dead -RemoteServer 127.0.0.1 -Port $(mg_free_ports 1) -SkipVerification" Dead

N_BIG=20000
awk -v n="$N_BIG" 'BEGIN {
	print "EmailAddress,UserName,Password"
	for (i = 1; i <= n; i++) printf "k%05d@contoso.edu,k%05d,pw%d\n", i, i, i
}' >"$W/big.csv"

q() { sqlite3 -cmd ".timeout 10000" "$DB" "$1"; }

# Does process PID hold SQLite's WAL write lock on migsh.db?
holds_write_lock() { # PID
	[ -e "$DB-shm" ] || return 1
	ino=$(stat -c %i "$DB-shm")
	grep -Eq "POSIX +ADVISORY +WRITE +$1 +[0-9a-f]+:[0-9a-f]+:$ino +120 +120\$" /proc/locks
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Run COMMAND in the background; when it has held the write lock for DELAY
# seconds (and still holds it), kill -9 it.  Sets INSIDE=1 when the kill
# landed while it held the lock.  DELAY "none": no kill; HELD_MS is then how
# long it held the lock (as seen by polling).
kill_in_txn() { # DELAY COMMAND
	INSIDE=0 HELD_MS=0
	"$MIGSH" -c "$2" >"$W/cmd.out" 2>&1 &
	pid=$!
	seen=0
	while kill -0 "$pid" 2>/dev/null; do
		if holds_write_lock "$pid"; then
			seen=1
			break
		fi
	done
	if [ "$seen" = 1 ] && [ "$1" = none ]; then
		t0=$(now_ms)
		while holds_write_lock "$pid"; do :; done
		HELD_MS=$(($(now_ms) - t0))
	elif [ "$seen" = 1 ]; then
		[ "$1" = 0 ] || sleep "$1"
		if holds_write_lock "$pid"; then
			kill -9 "$pid" 2>/dev/null && INSIDE=1
		fi
	fi
	wait "$pid" 2>/dev/null || :
}

# Kill points: 0 and 1/8, 1/4, 1/2 and 3/4 of the time the command holds
# the lock when it runs to the end (measured first, on this machine).
delays() { # HELD_MS
	awk -v h="$1" 'BEGIN { printf "0 %.3f %.3f %.3f %.3f\n", h / 8000, h / 4000, h / 2000, h * 3 / 4000 }'
}

# the database agrees with itself and with what migsh shows
check_consistent() { # WHAT
	orphans=$(q "SELECT COUNT(*) FROM users WHERE batch_id NOT IN (SELECT id FROM batches)")
	[ "$orphans" -eq 0 ] || mg_fail "$1: $orphans users without their batch"
	total=$(q "SELECT COUNT(*) FROM users")
	ms_ok "(Get-MigrationStatistics).TotalCount"
	[ "$OUT" -eq "$total" ] || mg_fail "$1: Get-MigrationStatistics shows $OUT users, the database holds $total"
}
k_users() { q "SELECT COUNT(*) FROM users u JOIN batches b ON b.id = u.batch_id WHERE b.name_key = 'k'"; }
k_exists() { q "SELECT COUNT(*) FROM batches WHERE name_key = 'k'"; }

# ---- New-MigrationBatch
kill_in_txn none "New-MigrationBatch -Name K -SourceEndpoint Dead -CSVFile '$W/big.csv'"
[ "$(k_users)" -eq "$N_BIG" ] || mg_fail "New-MigrationBatch of $N_BIG users did not create them ($(cat "$W/cmd.out"))"
echo "store_kill: New-MigrationBatch held the write lock for ${HELD_MS} ms"
ms_ok "Remove-MigrationBatch K -Confirm:\$false"
inside_new=0 nothing_new=0
for delay in $(delays "$HELD_MS"); do
	kill_in_txn "$delay" "New-MigrationBatch -Name K -SourceEndpoint Dead -CSVFile '$W/big.csv'"
	inside_new=$((inside_new + INSIDE))
	have=$(k_exists) users=$(k_users)
	if [ "$have" -eq 0 ]; then
		[ "$users" -eq 0 ] || mg_fail "New-MigrationBatch killed ${delay}s into its transaction: no batch K but $users of its users"
		[ "$INSIDE" = 0 ] || nothing_new=$((nothing_new + 1))
		ms_fails "Get-MigrationBatch K" "couldn't be found"
	else
		[ "$users" -eq "$N_BIG" ] || mg_fail "New-MigrationBatch killed ${delay}s into its transaction: batch K half-created ($users of $N_BIG users)"
		ms_ok "(Get-MigrationBatch K).TotalCount" "^$N_BIG\$"
	fi
	check_consistent "New-MigrationBatch killed ${delay}s into its transaction"
	# the store takes changes afterwards
	[ "$have" -eq 0 ] || ms_ok "Remove-MigrationBatch K -Confirm:\$false"
done
echo "store_kill: New-MigrationBatch killed $inside_new times inside its transaction ($nothing_new left nothing)"
[ "$inside_new" -ge 1 ] || mg_fail "no kill of New-MigrationBatch landed inside its transaction: the test tested nothing"

# ---- Remove-MigrationBatch (the service is not running: it deletes at once)
ms_ok "New-MigrationBatch -Name K -SourceEndpoint Dead -CSVFile '$W/big.csv'" K
kill_in_txn none "Remove-MigrationBatch K -Confirm:\$false"
[ "$(k_exists)" -eq 0 ] || mg_fail "Remove-MigrationBatch did not remove batch K ($(cat "$W/cmd.out"))"
echo "store_kill: Remove-MigrationBatch held the write lock for ${HELD_MS} ms"
inside_rm=0 kept_rm=0
for delay in $(delays "$HELD_MS"); do
	ms_ok "New-MigrationBatch -Name K -SourceEndpoint Dead -CSVFile '$W/big.csv'" K
	ms_ok "Set-MigrationUser k00001@contoso.edu -CompleteAfter '2030-01-01 00:00:00Z'"
	q "DELETE FROM cleanup"
	kill_in_txn "$delay" "Remove-MigrationBatch K -Confirm:\$false"
	inside_rm=$((inside_rm + INSIDE))
	have=$(k_exists) users=$(k_users) sched=$(q "SELECT COUNT(*) FROM cleanup")
	if [ "$have" -eq 1 ]; then
		[ "$users" -eq "$N_BIG" ] || mg_fail "Remove-MigrationBatch killed ${delay}s into its transaction: batch K half-removed ($users of $N_BIG users left)"
		[ "$sched" -eq 0 ] || mg_fail "Remove-MigrationBatch killed ${delay}s into its transaction: batch K kept but $sched sync states scheduled for removal"
		[ "$INSIDE" = 0 ] || kept_rm=$((kept_rm + 1))
		ms_ok "(Get-MigrationUser k00001@contoso.edu).CompleteAfter -ne \$null" '^True$'
		ms_ok "Remove-MigrationBatch K -Confirm:\$false"
	else
		[ "$users" -eq 0 ] || mg_fail "Remove-MigrationBatch killed ${delay}s into its transaction: batch gone, $users users left"
		[ "$sched" -eq "$N_BIG" ] || mg_fail "Remove-MigrationBatch killed ${delay}s into its transaction: batch gone, $sched of $N_BIG sync states scheduled for removal"
		reports=$(q "SELECT COUNT(*) FROM user_reports WHERE batch_key = 'k'")
		[ "$reports" -eq 0 ] || mg_fail "Remove-MigrationBatch killed ${delay}s into its transaction: $reports report lines of the removed batch left"
	fi
	check_consistent "Remove-MigrationBatch killed ${delay}s into its transaction"
done
echo "store_kill: Remove-MigrationBatch killed $inside_rm times inside its transaction ($kept_rm kept the whole batch)"
[ "$inside_rm" -ge 1 ] || mg_fail "no kill of Remove-MigrationBatch landed inside its transaction: the test tested nothing"
ms_ok "Remove-MigrationEndpoint Dead -Confirm:\$false"
echo "store_kill: ok"
