#!/bin/sh
# e2e_reports.sh - -ReportInterval against a real Dovecot: a synced batch
# with -NotificationEmails sends its status report every ReportInterval on a
# timer (no sync has to finish in between), each a real message in the
# recipient's mailbox with MigrationErrors.csv attached; Set-MigrationBatch
# -ReportInterval 0 and -SkipReports $true stop the messages (the report files
# are still rewritten), and a new interval starts them again.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

mg_dovecot_start SRC --users "ruser"
mg_dovecot_load_corpus SRC --seed 5 --messages 4 --quiet
ms_trust
W=$MG_TMP/rep
mkdir -p "$W"
ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl" Src
ms_csv "$W/u.csv" 'EmailAddress,UserName,Password' "ruser@contoso.edu,ruser,$MG_TEST_PASSWORD"

reports() { # number of report messages in the admin's mailbox
	find "$MIGSH_HOME/mail/admin@contoso.edu" -type f \( -path '*/new/*' -o -path '*/cur/*' \) 2>/dev/null |
		wc -l | tr -d ' '
}
wait_reports() { # N SECONDS: until at least N report messages arrived
	_i=0
	until [ "$(reports)" -ge "$1" ]; do
		_i=$((_i + 1))
		[ "$_i" -le "$(($2 * 4))" ] || mg_fail "only $(reports) report message(s) after $2 s, expected $1"
		sleep 0.25
	done
}

ms_ok "New-MigrationBatch -Name Rep -SourceEndpoint Src -CSVFile '$W/u.csv' -NotificationEmails admin@contoso.edu -ReportInterval 00:00:02 -AutoStart" Rep
ms_wait_batch Rep 'Synced' 120
ms_ok "(Get-MigrationBatch Rep).ReportInterval" '^00:00:02$'
# the Synced report, then one every 2 s while nothing else happens
# (incremental syncs are daily: none runs during this test)
wait_reports 4 30
grep -rlq 'Subject: Migration batch Rep: Status report' "$MIGSH_HOME/mail/admin@contoso.edu" ||
	mg_fail "no timed status report among the messages"
f=$(grep -rl 'Subject: Migration batch Rep: Status report' "$MIGSH_HOME/mail/admin@contoso.edu" | head -n 1)
grep -q 'MigrationErrors.csv' "$f" || mg_fail "the timed report has no MigrationErrors.csv attached"
ms_ok "(Get-MigrationUser ruser@contoso.edu).Status" '^Synced$'
ms_ok "(Get-MigrationUserStatistics ruser@contoso.edu).SyncedItemCount" '^[1-9][0-9]*$'

# -ReportInterval 0: no more messages
ms_ok "Set-MigrationBatch Rep -ReportInterval 0"
sleep 1
n0=$(reports)
sleep 5
[ "$(reports)" -eq "$n0" ] || mg_fail "report messages went on after -ReportInterval 0 ($n0 -> $(reports))"

# a new interval starts them again; -SkipReports \$true stops them
ms_ok "Set-MigrationBatch Rep -ReportInterval 00:00:01"
wait_reports $((n0 + 2)) 20
ms_ok "Set-MigrationBatch Rep -SkipReports \$true"
sleep 1
n1=$(reports)
sleep 4
[ "$(reports)" -eq "$n1" ] || mg_fail "report messages went on after -SkipReports \$true ($n1 -> $(reports))"
ms_ok "Get-MigrationBatch Rep -IncludeReport | Format-List Report" 'MigrationErrors.csv'

# a stopped batch sends nothing on a timer
ms_ok "Set-MigrationBatch Rep -SkipReports \$false"
wait_reports $((n1 + 1)) 20
ms_ok "Stop-MigrationBatch Rep"
ms_wait_batch Rep 'Stopped' 30
sleep 1
n2=$(reports)
sleep 4
[ "$(reports)" -eq "$n2" ] || mg_fail "a stopped batch kept sending reports ($n2 -> $(reports))"

ms_check_service_logs
echo "e2e_reports: ok"
