#!/bin/sh
# e2e_hostile.sh - what an admin sees when servers misbehave, through migsh and
# the migration service:
#  - a source with unmappable folder names (a NUL inside, raw 8-bit bytes,
#    600 bytes long) and a NUL in FLAGS (tests/lib/hostile_imapd.c): the user
#    ends Synced, the folders are listed as FolderNameInvalid skipped items
#    with escaped names, and Get-MigrationUserStatistics -IncludeSkippedItems
#    keeps working (the record stays loadable);
#  - a source that repeats one UID and hides another: Synced with a warning
#    naming the folder and the count in the report, DataConsistencyScore not
#    Perfect;
#  - -AcceptUntrustedCertificates: a warning in the user's report and in the
#    service log of the batch;
#  - a target that refuses the admin login: ErrorSummary says the target
#    refused it (not the source).
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

HOSTILE=$top_builddir/tests/lib/mg-hostile-imapd
[ -x "$HOSTILE" ] || mg_fail "scripted server not built: $HOSTILE (run make check)"
hp1=$("$top_builddir/tests/lib/mg-freeport")
"$HOSTILE" -p "$hp1" -S names -L "$MG_TMP/names.cmds" &
mg_on_exit "kill $! 2>/dev/null || :"
hp2=$("$top_builddir/tests/lib/mg-freeport")
"$HOSTILE" -p "$hp2" -S dupuid -L "$MG_TMP/dup.cmds" &
mg_on_exit "kill $! 2>/dev/null || :"
"$top_builddir/tests/lib/mg-waitport" "$hp1" >/dev/null 2>&1 || mg_fail "scripted server did not start"
"$top_builddir/tests/lib/mg-waitport" "$hp2" >/dev/null 2>&1 || mg_fail "scripted server did not start"

ms_new_home
W=$MG_TMP/w
mkdir -p "$W"

# ---- unmappable names, damaged flag ----
ms_ok "New-MigrationEndpoint -IMAP -Name Odd -RemoteServer 127.0.0.1 -Port $hp1 -Security None -SkipVerification" Odd
ms_csv "$W/odd.csv" 'EmailAddress,UserName,Password' "odd@contoso.edu,odd,pw"
ms_ok "New-MigrationBatch -Name Odd -SourceEndpoint Odd -CSVFile '$W/odd.csv' -AutoStart" Odd
ms_wait_batch Odd 'Synced' 120
ms_ok "(Get-MigrationUser odd@contoso.edu).Status" '^Synced$'
ms_ok "(Get-MigrationUserStatistics odd@contoso.edu).SyncedItemCount" '^4$'
for i in 1 2; do    # loadable every time, not only once
	ms_ok "Get-MigrationUserStatistics odd@contoso.edu -IncludeSkippedItems | Select-Object -ExpandProperty SkippedItems | Where-Object Kind -eq FolderNameInvalid | Format-List FolderName" \
		'Ab\\x00cd' 'Caf\\xE9' 'LLLLLLLL'
done
ms_ok "Get-MigrationUserStatistics odd@contoso.edu -IncludeReport | Format-List Report" 'damaged flag'

# ---- a repeated and a missing UID ----
ms_ok "New-MigrationEndpoint -IMAP -Name Dup -RemoteServer 127.0.0.1 -Port $hp2 -Security None -SkipVerification" Dup
ms_csv "$W/dup.csv" 'EmailAddress,UserName,Password' "dup@contoso.edu,dup,pw"
ms_ok "New-MigrationBatch -Name Dup -SourceEndpoint Dup -CSVFile '$W/dup.csv' -AutoStart" Dup
ms_wait_batch Dup 'Synced|SyncedWithErrors' 120
ms_ok "Get-MigrationUserStatistics dup@contoso.edu -IncludeReport | Format-List Report" \
	"WARNING: folder 'INBOX'.*1 message\\(s\\) could not be read"
ms_ok "(Get-MigrationUserStatistics dup@contoso.edu).DataConsistencyScore" '^(Good|Investigate|Poor)$'

# ---- -AcceptUntrustedCertificates (the CA is not trusted here) ----
mg_dovecot_start SRC --users "user1"
mg_dovecot_load_corpus SRC --seed 3 --messages 3 --quiet
unset SSL_CERT_FILE || :
ms_ok "New-MigrationEndpoint -IMAP -Name Loose -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl -AcceptUntrustedCertificates"
ms_csv "$W/u.csv" 'EmailAddress,UserName,Password' "user1@contoso.edu,user1,$MG_TEST_PASSWORD"
ms_ok "New-MigrationBatch -Name Loose -SourceEndpoint Loose -CSVFile '$W/u.csv' -AutoStart"
ms_wait_batch Loose 'Synced' 120
ms_ok "Get-MigrationUserStatistics user1@contoso.edu -IncludeReport | Format-List Report" \
	'CERTIFICATE VERIFICATION IS OFF for the source endpoint Loose'
grep -q 'Loose/user1@contoso.edu: WARNING: CERTIFICATE VERIFICATION IS OFF' "$MIGSH_HOME/logs/service.log" ||
	mg_fail "the service log does not warn about -AcceptUntrustedCertificates: $(cat "$MIGSH_HOME/logs/service.log")"

# ---- the target refuses the admin login (a new home: its service trusts the CA) ----
ms_trust
ms_new_home
mg_dovecot_start DST --users "other@contoso.edu"
ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl"
ms_ok "New-MigrationEndpoint -IMAP -Name BadDst -RemoteServer localhost -Port $DST_IMAPS_PORT -Security Ssl -Credentials mailadmin,not-the-password -SkipVerification"
ms_csv "$W/t.csv" 'EmailAddress,UserName,Password' "other@contoso.edu,user1,$MG_TEST_PASSWORD"
ms_ok "New-MigrationBatch -Name ToBad -SourceEndpoint Src -TargetEndpoint BadDst -CSVFile '$W/t.csv' -AutoStart"
ms_wait_batch ToBad 'Failed|SyncedWithErrors' 120
ms_ok "(Get-MigrationUser -BatchId ToBad).ErrorSummary" 'the target server refused the login'
ms_out_lacks 'source server'
ms_check_service_logs
echo "e2e_hostile: ok"
