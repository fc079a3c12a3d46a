#!/bin/sh
# e2e_options.sh - the batch options of issue 6 against real Dovecot servers:
#   -ExcludeFolders (nothing from the excluded folder arrives), -ContentFilter
#   on the received date (filtered items counted, score unaffected), a message
#   over 35 MB (skipped as LargeItem, listed by -IncludeSkippedItems,
#   DataConsistencyScore Good, -ApproveSkippedItems), -NotificationEmails
#   (the report lands in the recipient's mailbox with MigrationErrors.csv
#   attached), -StartAfter (Waiting) -> Stop -> Start, Start-MigrationBatch
#   -Wait, -AddUsers on a synced batch, Get-MigrationStatistics, and
#   Stop-MigrationBatch with users waiting (error report), Start resumes,
#   Remove-MigrationBatch of a running batch; -TargetEndpoint: copying into
#   a second Dovecot with master-user credentials.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

mg_dovecot_start SRC --users "user1 user2 user3"
mg_dovecot_start DST --users "user2@contoso.edu"
mg_dovecot_load_corpus SRC --seed 33 --messages 10 --quiet
ms_trust
PW=$MG_TEST_PASSWORD
MPW=$MG_TEST_MASTER_PASSWORD
W=$MG_TMP/opts
mkdir -p "$W"

files_in() { # DIR [FIND ARGS]: message files below DIR
	[ -d "$1" ] || { echo 0; return; }
	d=$1
	shift
	find "$d" -type f \( -path '*/cur/*' -o -path '*/new/*' \) "$@" | wc -l | tr -d ' '
}
stat_of() { # EMAIL PROPERTY
	ms_ok "(Get-MigrationUserStatistics $1).$2"
	printf '%s' "$OUT"
}

# a message over 35 MB in user1's INBOX
{ printf 'From: big@example.com\r\nTo: user1@contoso.edu\r\nSubject: a very large message\r\n\r\n'
  yes 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' | head -c 37000000
} >"$W/big.eml"
mg_maildir_add SRC user1 INBOX "$W/big.eml" S >/dev/null
rm -f "$W/big.eml"

ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl" Src

# --- 1. folders, content filter, large item, notification
ms_csv "$W/a.csv" 'EmailAddress,UserName,Password' "user1@contoso.edu,user1,$PW" "user2@contoso.edu,user2,$PW"
ms_ok "New-MigrationBatch -Name Opts -SourceEndpoint Src -CSVFile '$W/a.csv' -ExcludeFolders 'Junk Email' -ContentFilter \"Received -gt '1/1/2015'\" -NotificationEmails admin@contoso.edu" Opts
ms_ok "Start-MigrationBatch -Identity Opts -Wait | Format-List Status,SyncedCount" 'Status +: Synced' 'SyncedCount +: 2'
[ "$(files_in "$MIGSH_HOME/mail/user1@contoso.edu" -path '*Junk*')" -eq 0 ] || mg_fail "mail from the excluded folder Junk Email arrived"
[ "$(files_in "$SRC_MAIL/user1" -path '*Junk*')" -gt 0 ] || mg_fail "the corpus has no Junk Email folder to exclude"
[ "$(stat_of user1@contoso.edu ItemsFiltered)" -gt 0 ] || mg_fail "the content filter filtered nothing"
[ "$(stat_of user1@contoso.edu ItemsLarge)" -eq 1 ] || mg_fail "the 37 MB message was not counted as large"
ms_ok "Get-MigrationUserStatistics user1@contoso.edu -IncludeSkippedItems | Select-Object -ExpandProperty SkippedItems | Where-Object Kind -eq LargeItem | Format-List Kind,Subject,FolderName" \
	'Kind +: LargeItem' 'FolderName +: INBOX' 'Subject'
SKIPPED_OUT=$OUT
ms_ok "(Get-MigrationUserStatistics user1@contoso.edu).DataConsistencyScore" '^Good$'
ms_ok "(Get-MigrationUserStatistics user2@contoso.edu).DataConsistencyScore" '^Perfect$'
ms_ok "(Get-MigrationBatch Opts).DataConsistencyScore" '^Good$'
ms_ok "(Get-MigrationUser user1@contoso.edu).HasUnapprovedSkippedItems" '^True$'
ms_ok "Set-MigrationBatch -Identity Opts -ApproveSkippedItems"
ms_ok "(Get-MigrationUser user1@contoso.edu).HasUnapprovedSkippedItems" '^False$'
ms_ok "(Get-MigrationUser user1@contoso.edu).DataConsistencyScore" '^Good$'
grep -rqF 'a very large message' "$MIGSH_HOME/mail/user1@contoso.edu" && mg_fail "the 37 MB message was copied"
# the summary report went to admin@contoso.edu's mailbox, with the error report attached
i=0
until grep -rlq 'MigrationErrors.csv' "$MIGSH_HOME/mail/admin@contoso.edu" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 40 ] || mg_fail "no notification message in admin@contoso.edu's mailbox"
	sleep 0.5
done
ms_ok "Get-MigrationBatch Opts -IncludeReport | Format-List Report" 'MigrationErrors.csv'

# --- 2. -AddUsers on a synced batch: the new user is synced too
ms_csv "$W/b.csv" 'EmailAddress,UserName,Password' "user3@contoso.edu,user3,$PW" "user1@contoso.edu,user1,$PW"
ms_ok "Set-MigrationBatch Opts -AddUsers -CSVData ([System.IO.File]::ReadAllBytes('$W/b.csv'))"
ms_ok "(Get-MigrationBatch Opts).TotalCount" '^3$'
ms_wait "(Get-MigrationUser user3@contoso.edu).Status" 'Synced' 120
ms_wait_batch Opts 'Synced' 60
ms_ok "Get-MigrationStatistics | Format-List TotalCount,SyncedCount,FailedCount" 'TotalCount +: 3' 'SyncedCount +: 3' 'FailedCount +: 0'
ms_ok "Remove-MigrationBatch Opts -Confirm:\$false"

# --- 3. -StartAfter in the future: Waiting; Stop -> Stopped; Start after the time -> Synced
ms_csv "$W/c.csv" 'EmailAddress,UserName,Password' "late@contoso.edu,user2,$PW"
ms_ok "New-MigrationBatch -Name Later -SourceEndpoint Src -CSVFile '$W/c.csv' -StartAfter '1/1/2099' -AutoStart" Later
ms_wait_batch Later 'Waiting' 30
[ "$(files_in "$MIGSH_HOME/mail/late@contoso.edu")" -eq 0 ] || mg_fail "mail was copied before StartAfter"
ms_ok "Stop-MigrationBatch Later"
ms_wait_batch Later 'Stopped' 30
ms_ok "Set-MigrationBatch Later -StartAfter '1/1/2020'"
ms_ok "Start-MigrationBatch Later -Wait | Format-List Status" 'Status +: Synced'
[ "$(files_in "$MIGSH_HOME/mail/late@contoso.edu")" -gt 0 ] || mg_fail "nothing copied after Start"
ms_ok "Remove-MigrationBatch Later -Confirm:\$false"

# --- 4. Stop-MigrationBatch while users are copied or waiting: Stopped, and the
# error report lists the users that were in progress or waiting; Start resumes;
# Remove-MigrationBatch of a running batch stops it and removes it
ms_ok "New-MigrationEndpoint -IMAP -Name OneAtATime -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl -MaxConcurrentMigrations 1 -MaxConcurrentIncrementalSyncs 1" OneAtATime
ms_csv "$W/e.csv" 'EmailAddress,UserName,Password' "s1@contoso.edu,user1,$PW" "s2@contoso.edu,user2,$PW" "s3@contoso.edu,user3,$PW"
ms_ok "New-MigrationBatch -Name Stopper -SourceEndpoint OneAtATime -CSVFile '$W/e.csv' -AutoStart; Stop-MigrationBatch -Identity Stopper"
ms_wait_batch Stopper 'Stopped' 60
ms_ok "(Get-MigrationUser -BatchId Stopper -StatusSummary Stopped).Count" '^[1-3]$'
STOPCSV=$(find "$MIGSH_HOME/batches" -path '*stopper*' -name MigrationErrors.csv | head -1)
[ -n "$STOPCSV" ] || mg_fail "no error report for the stopped batch"
grep -Eq 's[23]@contoso.edu' "$STOPCSV" || mg_fail "the stopped batch's report does not list the waiting users"
ms_ok "Start-MigrationBatch Stopper -Wait | Format-List Status,SyncedCount" 'Status +: Synced' 'SyncedCount +: 3'
ms_ok "Set-MigrationBatch Stopper -SyncNow; Remove-MigrationBatch Stopper -Confirm:\$false"
ms_fails "Get-MigrationBatch Stopper" "couldn't be found"
[ "$(files_in "$MIGSH_HOME/mail/s1@contoso.edu")" -gt 0 ] || mg_fail "removing the batch removed migrated mail"

# --- 5. -TargetEndpoint: into a second Dovecot, logging in as each user via the master user
ms_ok "New-MigrationEndpoint -IMAP -Name Dst -RemoteServer localhost -Port $DST_IMAPS_PORT -Security Ssl -Credentials mailadmin,'$MPW'" Dst
ms_passwords_absent "$MPW"
ms_csv "$W/d.csv" 'EmailAddress,UserName,Password' "user2@contoso.edu,user2,$PW"
ms_ok "New-MigrationBatch -Name ToDst -SourceEndpoint Src -TargetEndpoint Dst -CSVFile '$W/d.csv' -AllowUnknownColumnsInCsv \$false" ToDst
ms_ok "Start-MigrationBatch ToDst -Wait | Format-List Status,SyncedCount,FailedCount" 'Status +: (Synced|SyncedWithErrors)'
ms_ok "Get-MigrationUserStatistics user2@contoso.edu | Format-List Status,Error,TargetMailbox,SyncedItemCount" 'Status +: Synced'
src=$(files_in "$SRC_MAIL/user2")
dst=$(files_in "$DST_MAIL/user2@contoso.edu")
[ "$dst" -gt 0 ] || mg_fail "nothing arrived at the target IMAP server"
[ "$dst" -eq "$(stat_of user2@contoso.edu SyncedItemCount)" ] || mg_fail "target has $dst messages, SyncedItemCount says otherwise"
[ "$dst" -le "$src" ] || mg_fail "target has more messages ($dst) than the source ($src)"
ms_passwords_absent "$PW" "$MPW"
# the master-user login form (user2@contoso.edu*mailadmin) instead of PLAIN with authzid
ms_ok "Set-MigrationEndpoint Dst -MasterUserSeparator '*'"
ms_ok "(Get-MigrationEndpoint Dst).TargetLogin" '^MasterUser$'
printf 'From: m@example.com\r\nSubject: via master login\r\n\r\nmigsh-master-marker\r\n' >"$W/m.eml"
mg_maildir_add SRC user2 INBOX "$W/m.eml" "" >/dev/null
ms_ok "Set-MigrationBatch ToDst -SyncNow"
i=0
until grep -rqF migsh-master-marker "$DST_MAIL/user2@contoso.edu" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 120 ] || { ms "Get-MigrationUserStatistics user2@contoso.edu | Format-List Status,Error"; ms_show; mg_fail "the master-user login did not deliver the new message"; }
	sleep 0.5
done
[ "$(files_in "$DST_MAIL/user2@contoso.edu")" -eq $((dst + 1)) ] || mg_fail "the incremental sync to the target duplicated or lost mail"

# skipped items carry their subject (issue 6: folder/subject/size/reason); checked
# last so that a missing subject does not hide the results above
printf '%s\n' "$SKIPPED_OUT" | grep -q 'Subject *: a very large message' ||
	mg_fail "the skipped large item has no Subject (got: $SKIPPED_OUT)"
ms_check_service_logs
echo "e2e_options: ok"
