#!/bin/sh
# e2e_workflow.sh - issue 6 end to end: Microsoft's IMAP migration workflow
# replayed from .ps1 scripts (e2e_workflow_[1-4].ps1) against a real Dovecot:
# New-MigrationEndpoint, New-MigrationBatch -AutoStart from a CSV of 5 users
# (one wrong password, one malformed address, one admin-format
# user*mailadmin login), Get-MigrationBatch until synced,
# Get-MigrationUserStatistics per user, mail added at the source arriving
# after Set-MigrationBatch -SyncNow and, with a short
# Set-MigrationConfig -IncrementalSyncInterval, by itself;
# Complete-MigrationBatch, Remove-MigrationBatch -Confirm:$false.  Checks the
# statuses, the counts against the real Maildirs, the error report
# (MigrationErrors.csv) and that no password leaks into output or logs.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

mg_dovecot_start SRC --users "user1 user2 user3 user4"
mg_dovecot_load_corpus SRC --seed 21 --messages 12 --quiet
ms_trust
seen_count() { find "$SRC_MAIL" -type f -path '*/cur/*' -name '*:2,*S*' | wc -l | tr -d ' '; }
SEEN_BEFORE=$(seen_count)
PW=$MG_TEST_PASSWORD
MPW=$MG_TEST_MASTER_PASSWORD
W=$MG_TMP/workflow
mkdir -p "$W"

ms_csv "$W/IMAPmigration_1.csv" 'EmailAddress,UserName,Password' \
	"user1@contoso.edu,user1,$PW" \
	"user2@contoso.edu,user2,wrong-password-123" \
	"not-an-address,user2,$PW" \
	"user3@contoso.edu,user3*mailadmin,$MPW" \
	"user4@contoso.edu,user4,$PW"

run_ps1() { # N: run e2e_workflow_N.ps1 with the placeholders filled in
	sed -e "s|__TLSPORT__|$SRC_IMAPS_PORT|g" -e "s|__CSV__|$W/IMAPmigration_1.csv|g" \
		"$top_srcdir/tests/integration/e2e_workflow_$1.ps1" >"$W/step$1.ps1"
	set +e
	OUT=$("$MIGSH" -File "$W/step$1.ps1" 2>"$W/step$1.err")
	RC=$?
	set -e
	ERR=$(cat "$W/step$1.err")
	MS_CMD="migsh -File step$1.ps1"
	printf '%s\n' "$OUT" >"$W/step$1.out"
	if [ "$RC" -ne 0 ] || printf '%s\n' "$OUT" | grep -q '^FAIL'; then
		ms_show
		mg_fail "step $1 of the workflow failed"
	fi
	ms_passwords_absent "$PW" "$MPW" wrong-password-123
}

dest_count() { # EMAIL: messages in the local destination Maildir++ of that user
	key=$(printf '%s' "$1" | tr 'A-Z' 'a-z')
	d="$MIGSH_HOME/mail/$key"
	[ -d "$d" ] || { echo 0; return; }
	find "$d" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l | tr -d ' '
}
src_count() { # USER
	find "$SRC_MAIL/$1" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l | tr -d ' '
}
wait_for_mail() { # EMAIL STRING SECONDS
	key=$(printf '%s' "$1" | tr 'A-Z' 'a-z')
	i=0
	while [ "$i" -lt "$(($3 * 2))" ]; do
		if [ -d "$MIGSH_HOME/mail/$key" ] && grep -rqF -- "$2" "$MIGSH_HOME/mail/$key"; then
			return 0
		fi
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}

# 1. endpoint and batch
run_ps1 1
printf '%s\n' "$OUT" | grep -q 'ok: batch created' || mg_fail "step 1 did not create the batch"

# 2. the initial synchronization finishes: 3 users synced, 2 failed
ms_wait_batch IMAPBatch1 'SyncedWithErrors|Synced|Failed' 300
ms_ok "(Get-MigrationBatch IMAPBatch1).Status" '^SyncedWithErrors$'
run_ps1 2

# every synced user: the destination holds exactly what the statistics say,
# and synced + skipped accounts for every message of the source
for u in user1 user3 user4; do
	ms_ok "(Get-MigrationUserStatistics $u@contoso.edu).SyncedItemCount"
	synced=$OUT
	ms_ok "(Get-MigrationUserStatistics $u@contoso.edu).SkippedItemCount"
	skipped=$OUT
	src=$(src_count "$u")
	dst=$(dest_count "$u@contoso.edu")
	[ "$dst" -eq "$synced" ] || mg_fail "$u: $dst messages at the destination, SyncedItemCount says $synced"
	[ $((synced + skipped)) -eq "$src" ] || mg_fail "$u: synced $synced + skipped $skipped != $src at the source"
done
[ "$(dest_count user2@contoso.edu)" -eq 0 ] || mg_fail "the wrong-password user got mail"

# the error report names both failed users and why
ERRCSV=$(find "$MIGSH_HOME/batches" -name MigrationErrors.csv | head -1)
[ -n "$ERRCSV" ] || mg_fail "no MigrationErrors.csv was written"
head -1 "$ERRCSV" | grep -q 'EmailAddress' || mg_fail "MigrationErrors.csv has no EmailAddress column"
grep -q 'ErrorMessage' "$ERRCSV" || mg_fail "MigrationErrors.csv has no ErrorMessage column"
grep -q 'user2@contoso.edu' "$ERRCSV" || mg_fail "MigrationErrors.csv lacks the wrong-password user"
grep -q 'not-an-address' "$ERRCSV" || mg_fail "MigrationErrors.csv lacks the malformed address"
grep -q 'user1@contoso.edu' "$ERRCSV" && mg_fail "MigrationErrors.csv lists a user that succeeded"
grep -qF "$PW" "$ERRCSV" && mg_fail "MigrationErrors.csv contains a password"

# 3. new mail at the source arrives after Set-MigrationBatch -SyncNow
printf 'From: a@example.com\r\nTo: user1@contoso.edu\r\nSubject: after the MX switch\r\nMessage-ID: <syncnow-1@example.com>\r\n\r\nmigsh-syncnow-marker-1\r\n' >"$W/m1.eml"
mg_maildir_add SRC user1 INBOX "$W/m1.eml" >/dev/null
before=$(dest_count user1@contoso.edu)
run_ps1 3
wait_for_mail user1@contoso.edu migsh-syncnow-marker-1 120 || mg_fail "new mail did not arrive after -SyncNow"
ms_wait_batch IMAPBatch1 'SyncedWithErrors' 120
[ "$(dest_count user1@contoso.edu)" -eq $((before + 1)) ] || mg_fail "SyncNow copied more or less than the one new message"
ms_ok "(Get-MigrationBatch IMAPBatch1).SyncedCount" '^3$'

# ... and by itself with a short incremental sync interval
ms_ok "Set-MigrationConfig -IncrementalSyncInterval 00:00:03"
ms_ok "(Get-MigrationConfig).IncrementalSyncInterval.TotalSeconds" '^3$'
printf 'From: b@example.com\r\nTo: user4@contoso.edu\r\nSubject: incremental\r\n\r\nmigsh-incremental-marker-2\r\n' >"$W/m2.eml"
mg_maildir_add SRC user4 Archive "$W/m2.eml" "" >/dev/null
wait_for_mail user4@contoso.edu migsh-incremental-marker-2 120 || mg_fail "new mail did not arrive by the incremental sync"
ms_ok "Set-MigrationConfig -IncrementalSyncInterval 1.00:00:00"

# 4. complete (final sync) and remove; the migrated mail stays
printf 'From: c@example.com\r\nTo: user3@contoso.edu\r\nSubject: final\r\n\r\nmigsh-final-marker-3\r\n' >"$W/m3.eml"
mg_maildir_add SRC user3 INBOX "$W/m3.eml" >/dev/null
run_ps1 4
grep -rqF migsh-final-marker-3 "$MIGSH_HOME/mail" || mg_fail "the final sync of Complete-MigrationBatch did not copy the last message"
[ "$(dest_count user1@contoso.edu)" -gt 0 ] || mg_fail "Remove-MigrationBatch deleted migrated mail"
ms_fails "Get-MigrationBatch IMAPBatch1" "couldn't be found"
# the source was never changed: no message got the \Seen flag (EXAMINE and BODY.PEEK only)
[ "$(seen_count)" -eq "$SEEN_BEFORE" ] || mg_fail "messages at the source were marked as read"
ms_ok "Stop-MigrationService"
ms_check_service_logs
echo "e2e_workflow: ok"
