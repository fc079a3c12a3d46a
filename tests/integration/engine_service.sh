#!/bin/sh
# engine_service.sh - the control plane against real Dovecot, without the
# shell (tests/integration/engine_driver): a batch from a CSV with a good
# user, a wrong password, a malformed address and an admin-format login is
# started; the background service starts on demand, reaches
# SyncedWithErrors with the right user statuses and errors; every message
# lands in the local store; the error report, summary and the notification
# message (delivered into the recipient's Maildir) are written; new mail
# arrives with -SyncNow and a second SyncNow copies nothing; Stop stops
# within seconds; the service is killed with SIGKILL repeatedly during a
# migration and resumes to an exact copy; Complete runs a final sync and
# ends CompletedWithErrors; Remove deletes the records but not the mail; no
# password in any log or report; no process left behind.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"

D=$top_builddir/tests/integration/engine_driver
[ -x "$D" ] || mg_fail "$D is not built (make check builds it)"

mg_dovecot_start SRC --users "user1 user2 user3 user4 user5"
mg_corpus --out "$SRC_MAIL" --users user1,user2,user3 --seed 5 --messages 120 --quiet || mg_fail "corpus"
# bigger mailboxes for the kill -9 part
mg_corpus --out "$SRC_MAIL" --users user4,user5 --seed 6 --messages 1200 --quiet || mg_fail "corpus"
[ "$(id -u)" -ne 0 ] || chown -R "$MG_MAIL_USER" "$SRC_MAIL"
SSL_CERT_FILE=$MG_TEST_CA
MIGSH_HOME=$MG_TMP/home
export SSL_CERT_FILE MIGSH_HOME
mg_on_exit "\"$D\" service-stop 10 >/dev/null 2>&1 || :"

run() { "$D" "$@" || mg_fail "engine_driver $* failed"; }

# all messages of a Maildir++ tree (INBOX and every .Folder)
count_tree() {
	n=0
	for d in "$1" "$1"/.[!.]*; do
		[ -d "$d/cur" ] || [ -d "$d/new" ] || continue
		n=$((n + $(mg_maildir_count "$d")))
	done
	echo "$n"
}

user_line() { "$D" users "$1" | grep "^$2 " || mg_fail "no user $2 in batch $1"; }

service_pid() { "$D" service-status | awk '$1 == "running" { print $2 }'; }

run endpoint Src 127.0.0.1 "$SRC_IMAP_PORT" Tls
# one initial sync at a time on this endpoint (checked below, and it makes
# B2 slow enough to be killed often)
run endpoint Src1 127.0.0.1 "$SRC_IMAP_PORT" Tls max=1
run config interval 3600

cat >"$MG_TMP/b1.csv" <<EOF
EmailAddress,UserName,Password
user1@example.test,user1,$MG_TEST_PASSWORD
user2@example.test,user2,wrong-password
not-an-address,user3,$MG_TEST_PASSWORD
user3@example.test,user3*mailadmin,$MG_TEST_MASTER_PASSWORD
EOF

# 1. -AutoStart: the service starts on demand and the batch reaches SyncedWithErrors
run batch B1 Src "$MG_TMP/b1.csv" autostart notify=admin@example.test >/dev/null
[ -n "$(service_pid)" ] || mg_fail "the service did not start"
st=$("$D" wait B1 180 SyncedWithErrors Synced Failed) || mg_fail "B1 did not finish its initial sync"
[ "$st" = SyncedWithErrors ] || mg_fail "B1 is $st, expected SyncedWithErrors"
"$D" users B1 >&2

user_line B1 user1@example.test | grep -q ' Synced ' || mg_fail "user1 not Synced"
user_line B1 user3@example.test | grep -q ' Synced ' || mg_fail "user3 (admin login user3*mailadmin) not Synced"
user_line B1 user2@example.test | grep -q ' Failed ' || mg_fail "user2 (wrong password) not Failed"
user_line B1 user2@example.test | grep -qi 'auth\|password\|login' || mg_fail "user2's error does not name the login failure"
user_line B1 not-an-address | grep -q 'Failed.*not a valid email address' || mg_fail "malformed address not failed with a validation error"

# 2. every message arrived in the local store
for u in user1 user3; do
	src=$(count_tree "$SRC_MAIL/$u")
	dst=$(count_tree "$MIGSH_HOME/mail/$u@example.test")
	[ "$src" -gt 0 ] || mg_fail "the corpus is empty for $u"
	[ "$src" = "$dst" ] || mg_fail "$u: $src messages at the source, $dst in the local store"
	user_line B1 "$u@example.test" | grep -q "synced=$src " || mg_fail "$u: SyncedItemCount is not $src"
done

# 3. reports: error CSV, summary, notification delivered and saved
R=$MIGSH_HOME/batches/b1/reports
[ -f "$R/MigrationErrors.csv" ] || mg_fail "no MigrationErrors.csv"
head -n 1 "$R/MigrationErrors.csv" | grep -q '^EmailAddress,ErrorMessage' || mg_fail "MigrationErrors.csv header"
grep -q '^user2@example.test,' "$R/MigrationErrors.csv" || mg_fail "user2 not in MigrationErrors.csv"
grep -q '^not-an-address,' "$R/MigrationErrors.csv" || mg_fail "the malformed address is not in MigrationErrors.csv"
grep -q '^user1@example.test,' "$R/MigrationErrors.csv" && mg_fail "a synced user is in MigrationErrors.csv"
grep -q 'Status: *SyncedWithErrors' "$R/Summary.txt" || mg_fail "summary lacks the status"
ls "$R"/Notification-*.eml >/dev/null 2>&1 || mg_fail "notification not saved in the reports folder"
inbox=$MIGSH_HOME/mail/admin@example.test
[ "$(mg_maildir_count "$inbox")" -ge 1 ] || mg_fail "notification not delivered into admin@example.test's INBOX"
grep -q 'filename="MigrationErrors.csv"' "$inbox"/new/* || mg_fail "notification lacks the CSV attachment"
grep -q '^Subject: Migration batch B1' "$inbox"/new/* || mg_fail "notification subject"
"$D" report B1 user1@example.test | grep -q 'Synchronization finished' || mg_fail "per-user report"

# 4. incremental: new mail arrives with SyncNow; a second SyncNow copies nothing
before=$(count_tree "$MIGSH_HOME/mail/user1@example.test")
printf 'From: a@example.org\r\nSubject: after the MX change\r\nMessage-ID: <late@test>\r\n\r\nhello\r\n' >"$MG_TMP/late.eml"
mg_maildir_add SRC user1 INBOX "$MG_TMP/late.eml" S >/dev/null
run syncnow B1
[ "$("$D" status B1)" = IncrementalSyncing ] || mg_fail "SyncNow did not set IncrementalSyncing at once"
"$D" wait B1 120 SyncedWithErrors Synced >/dev/null || mg_fail "the incremental sync did not finish"
after=$(count_tree "$MIGSH_HOME/mail/user1@example.test")
[ "$after" = $((before + 1)) ] || mg_fail "incremental sync: $before -> $after messages, expected one more"
run syncnow B1
"$D" wait B1 120 SyncedWithErrors Synced >/dev/null || mg_fail "the second incremental sync did not finish"
[ "$(count_tree "$MIGSH_HOME/mail/user1@example.test")" = "$after" ] || mg_fail "a repeated sync copied messages again"

# 5. refused transitions reach the caller
"$D" batch B1 Src "$MG_TMP/b1.csv" 2>"$MG_TMP/err" && mg_fail "a second batch B1 was created"
grep -q "already exists" "$MG_TMP/err" || mg_fail "duplicate batch name message"

# 6. Stop within seconds, then kill -9 the service repeatedly: exact copy at the end
cat >"$MG_TMP/b2.csv" <<EOF
EmailAddress,UserName,Password
user4@example.test,user4,$MG_TEST_PASSWORD
user5@example.test,user5,$MG_TEST_PASSWORD
EOF
run batch B2 Src1 "$MG_TMP/b2.csv" >/dev/null
[ "$("$D" status B2)" = Created ] || mg_fail "B2 without autostart is not Created"
run start B2
sleep 0.3
run stop B2
t0=$(date +%s)
"$D" wait B2 15 Stopped >/dev/null || mg_fail "Stop-MigrationBatch did not stop B2 within 15 s"
[ $(( $(date +%s) - t0 )) -le 15 ] || mg_fail "stop was slow"
"$D" users B2 | grep -v -q 'Stopped\|Synced' && mg_fail "after Stop a user is neither Stopped nor Synced"

b2_exact() {    # WHEN: B2's users have exactly the source's messages
	for u in user4 user5; do
		src=$(count_tree "$SRC_MAIL/$u")
		dst=$(count_tree "$MIGSH_HOME/mail/$u@example.test")
		[ "$src" = "$dst" ] || mg_fail "$u $1: $src messages at the source, $dst in the local store"
	done
}

# more mail for B2's users, from a reserve corpus (new messages in INBOX)
mg_corpus --out "$MG_TMP/reserve" --users user4,user5 --seed 7 --messages 4000 --quiet || mg_fail "corpus"
reserve_round=0
add_reserve() {
	reserve_round=$((reserve_round + 1))
	for u in user4 user5; do
		n=0
		# one path a line: folder names hold spaces ("Junk Email")
		find "$MG_TMP/reserve/$u" -type f -path '*/cur/*' | head -n 300 >"$MG_TMP/reserve.list"
		while IFS= read -r f; do
			n=$((n + 1))
			mv "$f" "$SRC_MAIL/$u/cur/$(date +%s).R${reserve_round}N$n.migsh-reserve:2,S"
		done <"$MG_TMP/reserve.list"
		[ "$n" -gt 0 ] || mg_fail "the reserve corpus is used up"
		mg__chown "$SRC_MAIL/$u/cur"
	done
}

# Kill -9 the service at random moments while B2 copies, 12 times (at least
# 10 must have hit a running migration).  A kill counts only when B2 was
# still copying afterwards.  On a machine fast enough to finish B2 before
# that, the copy is checked and new mail arrives, so the kills go on during
# incremental syncs (SyncNow) until enough hit a running migration.
run start B2
kills=0
refills=0
i=0
while [ "$i" -lt 150 ] && [ "$kills" -lt 12 ]; do
	i=$((i + 1))
	sleep "0.$((i % 3 + 1))"
	if [ "$("$D" status B2)" = Synced ]; then
		b2_exact "after $kills kills (B2 finished early, round $refills)"
		refills=$((refills + 1))
		add_reserve
		run syncnow B2
		continue
	fi
	syncing=$("$D" users B2 | grep -c ' Syncing ' || :)
	[ "$syncing" -le 1 ] || mg_fail "$syncing users in initial sync at once on an endpoint with MaxConcurrentMigrations 1"
	pid=$(service_pid)
	if [ -n "$pid" ] && [ "$pid" -gt 1 ] && kill -9 "$pid" 2>/dev/null; then
		# it hit a migration under way unless B2 had finished just before
		[ "$("$D" status B2)" = Synced ] || kills=$((kills + 1))
	fi
	sleep 0.1
	run service-start
done
mg_log "killed the service $kills times during B2's migration ($i attempts, $refills times more mail)"
[ "$kills" -ge 10 ] || mg_fail "only $kills of $i kills hit B2's migration under way (need 10)"
run service-start
"$D" wait B2 180 Synced SyncedWithErrors >/dev/null || mg_fail "B2 did not finish after the kills"
b2_exact "after kill -9"

# 7. Complete: final sync, CompletedWithErrors (user2 failed), no more syncs
run complete B1
st=$("$D" wait B1 120 Completed CompletedWithErrors) || mg_fail "B1 did not complete"
[ "$st" = CompletedWithErrors ] || mg_fail "B1 completed as $st, expected CompletedWithErrors"
user_line B1 user1@example.test | grep -q ' Completed ' || mg_fail "user1 not Completed"
"$D" syncnow B1 2>"$MG_TMP/err" && mg_fail "SyncNow accepted on a completed batch"
grep -q "its status is CompletedWithErrors" "$MG_TMP/err" || mg_fail "refusal does not name the status"

# 8. Remove: records gone, mail stays
run remove B1 30 >/dev/null
"$D" status B1 2>"$MG_TMP/err" && mg_fail "B1 still exists after Remove"
grep -q "couldn't be found" "$MG_TMP/err" || mg_fail "removed batch: not-found message"
[ "$(count_tree "$MIGSH_HOME/mail/user1@example.test")" -gt 0 ] || mg_fail "Remove deleted migrated mail"
run remove B2 30 >/dev/null

# 9. no password in logs or reports; state files 0600
for pw in "$MG_TEST_PASSWORD" "$MG_TEST_MASTER_PASSWORD" wrong-password; do
	if grep -r -l -F -- "$pw" "$MIGSH_HOME/logs" "$MIGSH_HOME/batches" 2>/dev/null | grep -v '\.yaml$' | grep -q .; then
		mg_fail "a password appears in a log or report"
	fi
done
# (the service removes the sync state of removed batches in the background:
# a file that vanishes while find looks at it is not a wrong mode)
bad=$(find "$MIGSH_HOME" -type f ! -perm 0600 ! -path "$MIGSH_HOME/mail/*" 2>/dev/null |
	while read -r f; do [ ! -e "$f" ] || printf '%s\n' "$f"; done | head -n 3)
[ -z "$bad" ] || mg_fail "state files not 0600: $bad"

# 10. the service stops and leaves nothing behind
pid=$(service_pid)
run service-stop 10
[ -z "$(service_pid)" ] || mg_fail "the service still runs"
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
	# a zombie not yet reaped by init is gone for our purposes
	state=$(sed -n 's/^[0-9]* (.*) \(.\).*/\1/p' "/proc/$pid/stat" 2>/dev/null || :)
	[ "$state" = Z ] || mg_fail "service process $pid left behind"
fi
exit 0
