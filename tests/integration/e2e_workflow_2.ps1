# e2e_workflow_2.ps1 - after the initial sync: the batch, its users and
# their statistics, as the walkthrough shows them.  Run by e2e_workflow.sh.

Get-MigrationBatch IMAPBatch1
$b = Get-MigrationBatch -Identity IMAPBatch1
if ($b.Status -ne 'SyncedWithErrors') { Write-Output "FAIL: batch status $($b.Status), expected SyncedWithErrors"; exit 1 }
if ($b.TotalCount -ne 5) { Write-Output "FAIL: TotalCount $($b.TotalCount)"; exit 1 }
if ($b.SyncedCount -ne 3) { Write-Output "FAIL: SyncedCount $($b.SyncedCount), expected 3"; exit 1 }
if ($b.FailedCount -ne 2) { Write-Output "FAIL: FailedCount $($b.FailedCount), expected 2"; exit 1 }
if ($b.LastSyncedDateTime -eq $null) { Write-Output "FAIL: LastSyncedDateTime is empty"; exit 1 }
Write-Output "ok: batch SyncedWithErrors 3 synced 2 failed"

Get-MigrationUser -BatchId IMAPBatch1
Get-MigrationUser -BatchId IMAPBatch1 | Get-MigrationUserStatistics
foreach ($u in Get-MigrationUser -BatchId IMAPBatch1) {
	$s = Get-MigrationUserStatistics -Identity $u.Identity
	Write-Output "user: $($s.Identity) status=$($s.Status) synced=$($s.SyncedItemCount) skipped=$($s.SkippedItemCount) source=$($s.TotalItemsInSourceMailboxCount) score=$($s.DataConsistencyScore)"
}

$ok = Get-MigrationUserStatistics -Identity user1@contoso.edu -IncludeReport
if ($ok.Status -ne 'Synced') { Write-Output "FAIL: user1 status $($ok.Status)"; exit 1 }
if ($ok.SyncedItemCount -lt 1) { Write-Output "FAIL: user1 has no synced items"; exit 1 }
if ($ok.Report -eq $null) { Write-Output "FAIL: -IncludeReport gave no report"; exit 1 }
$admin = Get-MigrationUserStatistics -Identity user3@contoso.edu
if ($admin.Status -ne 'Synced') { Write-Output "FAIL: admin-format user status $($admin.Status): $($admin.Error)"; exit 1 }
Write-Output "ok: user1 and the admin-format user synced"

Get-MigrationUserStatistics -Identity user2@contoso.edu -IncludeReport | Format-List Status,Error,Report
$bad = Get-MigrationUserStatistics -Identity user2@contoso.edu
if ($bad.Status -ne 'Failed') { Write-Output "FAIL: wrong-password user status $($bad.Status)"; exit 1 }
if ($bad.Error -eq $null) { Write-Output "FAIL: wrong-password user has no Error"; exit 1 }
$v = Get-MigrationUser -Identity not-an-address
if ($v.Status -ne 'Failed') { Write-Output "FAIL: malformed-address user status $($v.Status)"; exit 1 }
Write-Output "ok: the two failed users are Failed with an error"

$r = Get-MigrationBatch -Identity IMAPBatch1 -IncludeReport
$r | Format-List Identity,Status,Report
if ($r.Report -notlike '*MigrationErrors.csv*') { Write-Output "FAIL: -IncludeReport does not name MigrationErrors.csv"; exit 1 }
Write-Output "ok: report named"
