#!/bin/sh
# cmdlets_lifecycle.sh - every refused batch status transition (issue 6):
# for each batch status, each cmdlet action the status machine
# (engine/lifecycle.h) does not allow there - Start-, Stop-, Complete-
# MigrationBatch, Set-MigrationBatch -SyncNow / -AddUsers / settings - is
# refused with an error naming the batch, its current status and what that
# status allows, and the batch is left unchanged.  Also: the batch limit
# message, SupportedActions per status, Remove-MigrationUser and
# Remove-MigrationBatch, unknown batches.
#
# A batch is put into each status by editing its record while no migration
# service runs (so nothing moves it on); the cmdlets are what is tested.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

D=$MG_TMP
ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer 127.0.0.1 -Port $(mg_free_ports 1) -SkipVerification" 'Src'
ms_csv "$D/lc.csv" 'EmailAddress,UserName,Password' 'lc1@example.com,lc1,pw1' 'lc2@example.com,lc2,pw2'
ms_csv "$D/add.csv" 'EmailAddress,UserName,Password' 'add1@example.com,add1,pw'
ms_ok "New-MigrationBatch -Name LC -SourceEndpoint Src -CSVFile '$D/lc.csv'" 'LC' 'Created'
DB="$MIGSH_HOME/migsh.db"
command -v sqlite3 >/dev/null || { echo "SKIP: cmdlets_lifecycle needs the sqlite3 shell to set batch states (apt-get install sqlite3)"; exit 77; }
[ -f "$DB" ] || mg_fail "state database not at $DB (store layout changed?)"

set_status() {
	sqlite3 -cmd ".timeout 10000" "$DB" "UPDATE batches SET \"Status\" = '$1' WHERE name_key = 'lc'" ||
		mg_fail "cannot set the status in $DB"
	ms_ok "(Get-MigrationBatch LC).Status" "^$1\$"
}

allowed() { # ACTION STATUS -> 0 when the documented machine allows it
	case "$1" in
	Start) list="Created Stopped Failed SyncedWithErrors CompletedWithErrors Synced" ;;
	Stop) list="Starting Waiting Syncing Synced SyncedWithErrors IncrementalSyncing" ;;
	Complete) list="Synced SyncedWithErrors IncrementalSyncing" ;;
	SyncNow) list="Synced SyncedWithErrors IncrementalSyncing" ;;
	AddUsers) list="Created Stopped Synced SyncedWithErrors Failed CompletedWithErrors" ;;
	Set) list="Created Starting Syncing Stopped Synced SyncedWithErrors IncrementalSyncing Completing CompletedWithErrors Failed Waiting" ;;
	esac
	for s in $list; do [ "$s" = "$2" ] && return 0; done
	return 1
}

command_for() {
	case "$1" in
	Start) echo "Start-MigrationBatch -Identity LC" ;;
	Stop) echo "Stop-MigrationBatch -Identity LC" ;;
	Complete) echo "Complete-MigrationBatch -Identity LC" ;;
	SyncNow) echo "Set-MigrationBatch -Identity LC -SyncNow" ;;
	AddUsers) echo "Set-MigrationBatch -Identity LC -AddUsers -CSVData ([System.IO.File]::ReadAllBytes('$D/add.csv'))" ;;
	Set) echo "Set-MigrationBatch -Identity LC -NotificationEmails admin@example.com" ;;
	esac
}

refusals=0
for status in Created Starting Syncing Stopping Stopped Synced SyncedWithErrors IncrementalSyncing \
              Completing Completed CompletedWithErrors Failed Removing Corrupted Waiting; do
	set_status "$status"
	# SupportedActions shows exactly what the status machine allows
	want=""
	for action in Start Stop Complete Remove Set SyncNow AddUsers; do
		if [ "$action" = Remove ] || allowed "$action" "$status"; then want="$want,$action"; fi
	done
	ms_ok "(Get-MigrationBatch LC).SupportedActions -join ','" "^${want#,}\$"
	for action in Start Stop Complete SyncNow AddUsers Set; do
		allowed "$action" "$status" && continue
		set_status "$status"
		ms_fails "$(command_for "$action")" "LC" "status is $status" "Allowed in status $status"
		ms_ok "(Get-MigrationBatch LC).Status" "^$status\$"
		ms_ok "(Get-MigrationBatch LC).TotalCount" '^2$'
		refusals=$((refusals + 1))
	done
done
mg_log "checked $refusals refused transitions"
[ "$refusals" -ge 50 ] || mg_fail "only $refusals refusals checked"

# SupportedActions shows what a status allows
set_status Synced
ms_ok "(Get-MigrationBatch LC).SupportedActions -join ','" 'Start' 'Stop' 'Complete'

# Remove-MigrationUser / Remove-MigrationBatch work on a stopped batch
set_status Stopped
ms_ok "Remove-MigrationUser lc2@example.com -Confirm:\$false"
ms_fails "Get-MigrationUser lc2@example.com" "couldn't be found"
# as in Exchange Online it returns the batch, with Status Removing
ms_ok "(Remove-MigrationBatch LC -Confirm:\$false).Status" '^Removing$'
ms_fails "Get-MigrationBatch LC" "The migration batch 'LC' couldn't be found\.\$"
# said once: no "Reason:" repeating it (Exchange repeats only an endpoint's text)
printf '%s\n' "$ERR" | grep -q "Reason:" && mg_fail "the not-found error repeats itself after Reason: $ERR"
ms_fails "Get-MigrationEndpoint NoSuchEndpoint" "couldn't be found\. Reason: The migration endpoint 'NoSuchEndpoint' couldn't be found\.\$"

# the seed line "Remove-MigrationBatch -Identity IMAPBatch1" verbatim: on a
# terminal it asks; N keeps the batch, Y removes it (script(1) gives a pty)
if command -v script >/dev/null 2>&1; then
	ms_csv "$D/seed.csv" 'EmailAddress,UserName,Password' 'seed@example.com,seed,pw'
	ms_ok "New-MigrationBatch -Name IMAPBatch1 -SourceEndpoint Src -CSVFile '$D/seed.csv'" IMAPBatch1
	answer() {
		(sleep 1; printf '%s\r' "$1"; sleep 2) |
			timeout 30 script -qec "\"$MIGSH\" -c 'Remove-MigrationBatch -Identity IMAPBatch1'" /dev/null \
			>"$D/confirm.out" 2>&1 || true
	}
	answer N
	grep -q 'Are you sure you want to perform this action' "$D/confirm.out" || {
		cat "$D/confirm.out" >&2; mg_fail "Remove-MigrationBatch did not ask for confirmation"; }
	ms_ok "Get-MigrationBatch IMAPBatch1" IMAPBatch1
	answer Y
	ms_fails "Get-MigrationBatch IMAPBatch1" "couldn't be found"
else
	mg_log "script(1) missing: the interactive confirmation of Remove-MigrationBatch is not tested"
fi

# unknown batches, for every lifecycle cmdlet
for cmd in Start-MigrationBatch Stop-MigrationBatch Complete-MigrationBatch Set-MigrationBatch; do
	ms_fails "$cmd -Identity Ghost" "couldn't be found"
done
ms_fails "Remove-MigrationBatch -Identity Ghost -Confirm:\$false" "couldn't be found"

# the batch limit (MaxNumberOfBatches, 100 by default) with Exchange's message
ms_ok "Get-MigrationConfig | Format-List MaxNumberOfBatches" 'MaxNumberOfBatches +: 100'
ms_ok "Set-MigrationConfig -MaxNumberOfBatches 2"
ms_csv "$D/l1.csv" 'EmailAddress,UserName,Password' 'l1@example.com,l1,pw'
ms_csv "$D/l2.csv" 'EmailAddress,UserName,Password' 'l2@example.com,l2,pw'
ms_csv "$D/l3.csv" 'EmailAddress,UserName,Password' 'l3@example.com,l3,pw'
ms_ok "New-MigrationBatch -Name L1 -SourceEndpoint Src -CSVFile '$D/l1.csv'" 'L1'
ms_ok "New-MigrationBatch -Name L2 -SourceEndpoint Src -CSVFile '$D/l2.csv'" 'L2'
ms_fails "New-MigrationBatch -Name L3 -SourceEndpoint Src -CSVFile '$D/l3.csv'" \
	'The maximum number of migration batches is already running. Please remove a batch before you add another one'
ms_ok "(Get-MigrationConfig).CanSubmitNewBatch" '^False$'
ms_check_service_logs
echo "cmdlets_lifecycle: ok"
