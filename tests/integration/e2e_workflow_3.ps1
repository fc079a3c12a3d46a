# e2e_workflow_3.ps1 - after the MX switch: an immediate incremental sync.
Set-MigrationBatch -Identity IMAPBatch1 -SyncNow
Write-Output "ok: SyncNow requested"
