# e2e_workflow_4.ps1 - the end: complete the batch (final sync), then remove it.
$b = Complete-MigrationBatch -Identity IMAPBatch1 -Wait
if ($b.Status -ne 'CompletedWithErrors') { Write-Output "FAIL: status after Complete-MigrationBatch $($b.Status)"; exit 1 }
Get-MigrationBatch -Identity IMAPBatch1 | Format-List Status,FinalizedCount,FailedCount
Write-Output "ok: completed"
Remove-MigrationBatch -Identity IMAPBatch1 -Confirm:$false
$gone = Get-MigrationBatch -Identity IMAPBatch1 -ErrorAction SilentlyContinue
if ($gone -ne $null) { Write-Output "FAIL: the batch is still there"; exit 1 }
Write-Output "ok: removed"
