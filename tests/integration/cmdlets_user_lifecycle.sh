#!/bin/sh
# cmdlets_user_lifecycle.sh - Start-, Stop- and Set-MigrationUser against a
# real Dovecot: one user of a synced batch is stopped and gets no new mail in
# the following incremental syncs (Set-MigrationBatch -SyncNow and a short
# IncrementalSyncInterval) while the other user does; Start-MigrationUser
# brings its new mail; Set-MigrationUser -SyncNow syncs that one user only;
# a user's own -StartAfter holds it (and overrides the batch's); a copy in
# progress is stopped and resumed; Get-MigrationUser | Stop-/Start-MigrationUser
# in a pipeline; and every refused case with its message (user status, batch
# status Completed and Removing, CSV-invalid users, unknown users, no
# -Identity, -WhatIf, Set without a setting).
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

mg_dovecot_start SRC --users "u1 u2"
mg_dovecot_load_corpus SRC --seed 5 --messages 8 --quiet
# a mailbox big enough that its initial copy is still running when stopped
mg_dovecot_start SLOW --users "slow"
mg_dovecot_load_corpus SLOW --seed 6 --messages 2500 --quiet
ms_trust
PW=$MG_TEST_PASSWORD
W=$MG_TMP/ul
mkdir -p "$W"

dest_has() { # EMAIL STRING: the user's destination Maildir holds a message with STRING
	[ -d "$MIGSH_HOME/mail/$1" ] && grep -rqF -- "$2" "$MIGSH_HOME/mail/$1"
}
dest_count() {
	[ -d "$MIGSH_HOME/mail/$1" ] || { echo 0; return; }
	find "$MIGSH_HOME/mail/$1" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l | tr -d ' '
}
wait_mail() { # EMAIL STRING SECONDS
	_i=0
	while [ "$_i" -lt "$(($3 * 2))" ]; do
		dest_has "$1" "$2" && return 0
		sleep 0.5
		_i=$((_i + 1))
	done
	mg_fail "the message '$2' did not arrive for $1 within $3 s"
}
new_mail() { # USER: deliver a message at the source; prints its marker (run in $(...):
	# the counter lives in a file)
	n_mail=$(( $(cat "$W/.n" 2>/dev/null || echo 0) + 1 ))
	echo "$n_mail" >"$W/.n"
	_m="migsh-user-lifecycle-marker-$n_mail-$1"
	printf 'From: a@example.com\r\nTo: %s@contoso.edu\r\nSubject: %s\r\nMessage-ID: <%s@example.com>\r\n\r\n%s\r\n' \
		"$1" "$_m" "$_m" "$_m" >"$W/$_m.eml"
	mg_maildir_add SRC "$1" INBOX "$W/$_m.eml" >/dev/null
	echo "$_m"
}
status_of() { ms_ok "(Get-MigrationUser $1).Status"; printf '%s\n' "$OUT"; }
wait_status() { ms_wait "(Get-MigrationUser $1).Status" "$2" "${3:-120}"; }
sync_count() { ms_ok "(Get-MigrationUserStatistics $1).SyncCount"; printf '%s\n' "$OUT"; }

# --- a synced batch of two users
ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl" Src
ms_csv "$W/ub.csv" 'EmailAddress,UserName,Password' "u1@contoso.edu,u1,$PW" "u2@contoso.edu,u2,$PW"
ms_ok "New-MigrationBatch -Name UB -SourceEndpoint Src -CSVFile '$W/ub.csv' -AutoStart" UB
ms_wait_batch UB Synced 180

# --- 1. Stop-MigrationUser on a synced user: stopped at once, the batch goes on
ms_ok "Stop-MigrationUser -Identity u1@contoso.edu"
[ "$(status_of u1@contoso.edu)" = IncrementalStopped ] || mg_fail "u1 is not IncrementalStopped"
ms_ok "(Get-MigrationUser u1@contoso.edu).StatusSummary" '^Stopped$'
[ "$(status_of u2@contoso.edu)" = Synced ] || mg_fail "stopping u1 changed u2"
ms_ok "(Get-MigrationBatch UB).Status" '^Synced$'
ms_ok "(Get-MigrationBatch UB).StoppedCount" '^1$'

# the next incremental sync of the batch (-SyncNow) copies u2's new mail, not u1's
m1=$(new_mail u1)
m2=$(new_mail u2)
passes1=$(sync_count u1@contoso.edu)
ms_ok "Set-MigrationBatch -Identity UB -SyncNow"
wait_mail u2@contoso.edu "$m2" 120
ms_wait_batch UB Synced 120
! dest_has u1@contoso.edu "$m1" || mg_fail "the stopped user u1 got new mail from Set-MigrationBatch -SyncNow"
[ "$(status_of u1@contoso.edu)" = IncrementalStopped ] || mg_fail "SyncNow of the batch restarted u1"
# ... nor from the periodic incremental syncs
ms_ok "Set-MigrationConfig -IncrementalSyncInterval 00:00:02"
m3=$(new_mail u2)
wait_mail u2@contoso.edu "$m3" 60
sleep 3
! dest_has u1@contoso.edu "$m1" || mg_fail "the stopped user u1 got new mail from a periodic incremental sync"
[ "$(sync_count u1@contoso.edu)" = "$passes1" ] || mg_fail "a stopped user was synchronized"
ms_ok "Set-MigrationConfig -IncrementalSyncInterval 1.00:00:00"
ms_wait_batch UB Synced 60

# --- 2. Start-MigrationUser: queued again, its new mail arrives
ms_ok "Start-MigrationUser -Identity u1@contoso.edu"
wait_mail u1@contoso.edu "$m1" 120
wait_status u1@contoso.edu Synced
ms_wait_batch UB Synced 60
ms_ok "(Get-MigrationBatch UB).StoppedCount" '^0$'
ms_ok "Get-MigrationUserStatistics u1@contoso.edu -IncludeReport | Format-List Report" 'Synchronization finished'

# --- 3. Set-MigrationUser -SyncNow: that one user only
m4=$(new_mail u1)
m5=$(new_mail u2)
ms_ok "Set-MigrationUser -Identity u2@contoso.edu -SyncNow"
wait_mail u2@contoso.edu "$m5" 120
ms_wait_batch UB Synced 60
! dest_has u1@contoso.edu "$m4" || mg_fail "Set-MigrationUser u2 -SyncNow synchronized u1 too"
ms_ok "Set-MigrationUser u1@contoso.edu -SyncNow"
wait_mail u1@contoso.edu "$m4" 120
ms_wait_batch UB Synced 60

# --- 4. -ApproveSkippedItems and -CompleteAfter are recorded for the user
ms_ok "Set-MigrationUser u1@contoso.edu -ApproveSkippedItems -CompleteAfter '1/1/2031'"
ms_ok "(Get-MigrationUser u1@contoso.edu).HasUnapprovedSkippedItems" '^False$'
ms_ok "(Get-MigrationUserStatistics u1@contoso.edu).ApprovedSkippedItemCount -eq (Get-MigrationUserStatistics u1@contoso.edu).SkippedItemCount" '^True$'
ms_ok "(Get-MigrationUser u1@contoso.edu).CompleteAfter" '^1/1/2031 '

# --- 5. the user's own -StartAfter holds it, and overrides the batch's
ms_ok "Stop-MigrationUser u2@contoso.edu; Set-MigrationUser u2@contoso.edu -StartAfter '1/1/2099'; Start-MigrationUser u2@contoso.edu"
m6=$(new_mail u2)
sleep 3
[ "$(status_of u2@contoso.edu)" = Queued ] || mg_fail "u2 did not wait for its StartAfter"
! dest_has u2@contoso.edu "$m6" || mg_fail "u2 was copied before its StartAfter"
ms_ok "(Get-MigrationUser u2@contoso.edu).StartAfter" '^1/1/2099 '
# the batch's StartAfter is later still; the user's own (past) one wins
ms_ok "Set-MigrationBatch UB -StartAfter '1/1/2098'; Set-MigrationUser u2@contoso.edu -StartAfter '1/1/2020'"
wait_mail u2@contoso.edu "$m6" 120
wait_status u2@contoso.edu Synced
ms_wait_batch UB Synced 60
[ "$(status_of u1@contoso.edu)" = Synced ] || mg_fail "u1 changed"

# --- 6. pipelines: every user of the batch stopped, then started
ms_ok "Get-MigrationUser -BatchId UB | Stop-MigrationUser"
ms_ok "(Get-MigrationUser -BatchId UB -StatusSummary Stopped).Count" '^2$'
ms_ok "Get-MigrationUser -BatchId UB -StatusSummary Stopped | Start-MigrationUser"
ms_ok "Set-MigrationBatch UB -StartAfter '1/1/2020'"
wait_status u1@contoso.edu Synced
wait_status u2@contoso.edu Synced
ms_wait_batch UB Synced 60

# --- 7. refused, with the user, its status and what is allowed
ms_fails "Start-MigrationUser u1@contoso.edu" \
	"Start-MigrationUser : The migration user 'u1@contoso.edu' can't be started because its status is Synced. Allowed in status Synced: Stop, Set, SyncNow, Remove." \
	'InvalidUserStatus'
ms_ok "Stop-MigrationUser u1@contoso.edu"
ms_fails "Stop-MigrationUser u1@contoso.edu" \
	"The migration user 'u1@contoso.edu' can't be stopped because its status is IncrementalStopped. Allowed in status IncrementalStopped: Start, Set, Remove."
ms_fails "Set-MigrationUser u1@contoso.edu -SyncNow" \
	"The migration user 'u1@contoso.edu' can't be synchronized now \\(-SyncNow\\) because its status is IncrementalStopped. Allowed in status IncrementalStopped: Start, Set, Remove."
[ "$(status_of u1@contoso.edu)" = IncrementalStopped ] || mg_fail "a refused action changed u1"
ms_ok "Start-MigrationUser u1@contoso.edu"
wait_status u1@contoso.edu Synced
ms_wait_batch UB Synced 60
# -WhatIf changes nothing
ms_ok "Stop-MigrationUser u2@contoso.edu -WhatIf" "What if: Performing the operation \"Stop migration user\" on target \"u2@contoso.edu \\(batch UB\\)\""
[ "$(status_of u2@contoso.edu)" = Synced ] || mg_fail "-WhatIf stopped u2"
# unknown users, no -Identity with several users, Set without a setting
for cmd in Start-MigrationUser Stop-MigrationUser Set-MigrationUser; do
	ms_fails "$cmd -Identity ghost@contoso.edu" "The migration user 'ghost@contoso.edu' couldn't be found"
done
ms_fails "Stop-MigrationUser" 'There are 2 migration users: name one with -Identity'
ms_ok "Set-MigrationUser u2@contoso.edu"
ms_err_has "WARNING: The command completed successfully but no settings of 'u2@contoso.edu' have been modified."
ms_fails "Set-MigrationUser -Identity u2@contoso.edu -StartAfter 'not a date'" 'StartAfter'

# a failed user (wrong password) and a user whose CSV row failed validation
ms_csv "$W/fb.csv" 'EmailAddress,UserName,Password' "u1x@contoso.edu,u1,wrong-password" \
	"u2x@contoso.edu,,$PW"
ms_ok "New-MigrationBatch -Name FB -SourceEndpoint Src -CSVFile '$W/fb.csv' -AutoStart" FB
ms_wait_batch FB Failed 120
ms_fails "Set-MigrationUser u1x@contoso.edu -SyncNow" \
	"The migration user 'u1x@contoso.edu' can't be synchronized now \\(-SyncNow\\) because the status of its migration batch 'FB' is Failed. Allowed for the users of a Failed batch: Start, Set, Remove."
ms_fails "Stop-MigrationUser u1x@contoso.edu" \
	"The migration user 'u1x@contoso.edu' can't be stopped because the status of its migration batch 'FB' is Failed."
ms_fails "Start-MigrationUser u2x@contoso.edu" \
	"The migration user 'u2x@contoso.edu' can't be started because its row of the CSV failed validation" \
	'Set-MigrationBatch FB -AddUsers'
# Start-MigrationUser retries the failed one (still the wrong password: Failed again)
ms_ok "(Get-MigrationUserStatistics u1x@contoso.edu).SyncCount" '^0$'
ms_ok "Start-MigrationUser u1x@contoso.edu"
ms_wait_batch FB Failed 120
ms_ok "(Get-MigrationUser u1x@contoso.edu).Status" '^Failed$'
ms_ok "Get-MigrationUserStatistics u1x@contoso.edu -IncludeReport | Format-List Report"
[ "$(printf '%s\n' "$OUT" | grep -c 'Starting the initial synchronization')" -ge 2 ] ||
	{ ms_show; mg_fail "Start-MigrationUser did not retry the failed user"; }
ms_ok "Remove-MigrationBatch FB -Confirm:\$false"

# --- 8. a copy in progress: Stopping, then Stopped; resumed by Start-MigrationUser
ms_ok "New-MigrationEndpoint -IMAP -Name Slow -RemoteServer localhost -Port $SLOW_IMAPS_PORT -Security Ssl" Slow
ms_csv "$W/slow.csv" 'EmailAddress,UserName,Password' "slow@contoso.edu,slow,$PW"
ms_ok "New-MigrationBatch -Name SB -SourceEndpoint Slow -CSVFile '$W/slow.csv' -AutoStart" SB
ms_wait "(Get-MigrationUser slow@contoso.edu).Status" 'Syncing|Synced' 60
ms_ok "Stop-MigrationUser slow@contoso.edu"
st=$(status_of slow@contoso.edu)
case "$st" in Stopping|Stopped|IncrementalStopped) ;; *) mg_fail "a running copy shows $st after Stop-MigrationUser" ;; esac
ms_wait "(Get-MigrationUser slow@contoso.edu).Status" 'Stopped|IncrementalStopped' 60
partial=$(dest_count slow@contoso.edu)
src=$(find "$SLOW_MAIL/slow" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l | tr -d ' ')
mg_log "copy stopped after $partial of $src messages"
if [ "$partial" -lt "$src" ]; then
	ms_ok "Get-MigrationUserStatistics slow@contoso.edu -IncludeReport | Format-List Report" 'Synchronization stopped \(Stop-MigrationUser\)'
else
	mg_log "note: the copy had finished before the stop took effect"
fi
sleep 2
[ "$(dest_count slow@contoso.edu)" = "$partial" ] || mg_fail "the stopped user's copy went on"
ms_ok "(Get-MigrationBatch SB).Status" '^(Synced|Syncing)$'
ms_ok "Start-MigrationUser slow@contoso.edu"
wait_status slow@contoso.edu Synced 300
ms_ok "(Get-MigrationUserStatistics slow@contoso.edu).SyncedItemCount"
synced=$OUT
ms_ok "(Get-MigrationUserStatistics slow@contoso.edu).SkippedItemCount"
[ "$(dest_count slow@contoso.edu)" -eq "$synced" ] || mg_fail "resumed copy: $(dest_count slow@contoso.edu) messages, SyncedItemCount $synced"
[ $((synced + OUT)) -eq "$src" ] || mg_fail "resumed copy: synced $synced + skipped $OUT != $src at the source"
ms_wait_batch SB Synced 60

# --- 9. piped users of a Completed or Removing batch are refused
ms_ok "Complete-MigrationBatch UB -Wait | Format-List Status" 'Status +: Completed'
for cmd in Stop-MigrationUser Start-MigrationUser "Set-MigrationUser -SyncNow"; do
	ms_fails "Get-MigrationUser -BatchId UB | $cmd" \
		"The migration user 'u1@contoso.edu' can't be .* because the status of its migration batch 'UB' is Completed. Allowed for the users of a Completed batch: Remove." \
		"The migration user 'u2@contoso.edu' can't be .* because the status of its migration batch 'UB' is Completed."
done
ms_fails "Set-MigrationUser u1@contoso.edu -ApproveSkippedItems" \
	"The migration user 'u1@contoso.edu' can't be changed because the status of its migration batch 'UB' is Completed."
ms_ok "Stop-MigrationService"
command -v sqlite3 >/dev/null || { echo "SKIP: the rest of cmdlets_user_lifecycle needs the sqlite3 shell (apt-get install sqlite3)"; exit 77; }
DB="$MIGSH_HOME/migsh.db"
[ -f "$DB" ] || mg_fail "state database not at $DB (store layout changed?)"
sqlite3 -cmd ".timeout 10000" "$DB" "UPDATE batches SET \"Status\" = 'Removing' WHERE name_key = 'sb'" ||
	mg_fail "cannot set the status in $DB"
ms_ok "(Get-MigrationBatch SB).Status" '^Removing$'
ms_fails "Get-MigrationUser -BatchId SB | Stop-MigrationUser" \
	"The migration user 'slow@contoso.edu' can't be stopped because the status of its migration batch 'SB' is Removing. Allowed for the users of a Removing batch: nothing."
ms_fails "Set-MigrationUser slow@contoso.edu -ApproveSkippedItems" "batch 'SB' is Removing"

ms_passwords_absent "$PW"
ms_check_service_logs
echo "cmdlets_user_lifecycle: ok"
