# e2e_workflow_1.ps1 - Microsoft's IMAP migration workflow, steps 1-3, as an
# admin types it: test the server, create the endpoint, create and start the
# batch from a CSV of 5 users.  Run by e2e_workflow.sh, which replaces
# __TLSPORT__ and __CSV__.  Prints "FAIL: ..." and exits 1 on a wrong result.

$t = Test-MigrationServerAvailability -IMAP -RemoteServer localhost -Port __TLSPORT__ -Security Ssl
if ($t.Result -ne 'Success') { Write-Output "FAIL: server test: $($t.Message)"; exit 1 }
if ($t.SupportsCutover -ne $false) { Write-Output "FAIL: SupportsCutover should be False"; exit 1 }
Write-Output "ok: Test-MigrationServerAvailability Success"

New-MigrationEndpoint -IMAP -Name IMAPEndpoint -RemoteServer localhost -Port __TLSPORT__ -Security Ssl
Get-MigrationEndpoint IMAPEndpoint | Format-List EndpointType,RemoteServer,Port,Security,Max*
$e = Get-MigrationEndpoint -Identity IMAPEndpoint
if ($e.EndpointType -ne 'IMAP') { Write-Output "FAIL: EndpointType $($e.EndpointType)"; exit 1 }
if ($e.MaxConcurrentMigrations -ne 100) { Write-Output "FAIL: MaxConcurrentMigrations $($e.MaxConcurrentMigrations)"; exit 1 }
if ($e.MaxConcurrentIncrementalSyncs -ne 20) { Write-Output "FAIL: MaxConcurrentIncrementalSyncs"; exit 1 }
Write-Output "ok: endpoint created"

$b = New-MigrationBatch -Name IMAPBatch1 -SourceEndpoint IMAPEndpoint -CSVData ([System.IO.File]::ReadAllBytes("__CSV__")) -AutoStart
if ($b.TotalCount -ne 5) { Write-Output "FAIL: TotalCount $($b.TotalCount), expected 5"; exit 1 }
if ($b.Identity.Name -ne 'IMAPBatch1') { Write-Output "FAIL: Identity $($b.Identity)"; exit 1 }
if ($b.Status -eq 'Created') { Write-Output "FAIL: -AutoStart left the batch Created"; exit 1 }
if ($b.MigrationType -ne 'IMAP') { Write-Output "FAIL: MigrationType $($b.MigrationType)"; exit 1 }
Write-Output "ok: batch created with status $($b.Status)"
Get-MigrationBatch -Identity IMAPBatch1 | Format-List Status
