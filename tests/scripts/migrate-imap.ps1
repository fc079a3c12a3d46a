#Requires -Version 7.0
<#
.SYNOPSIS
    Migrates the IMAP mailboxes listed in a CSV file, the way an administrator
    scripts it for Exchange Online, and writes a report.

.DESCRIPTION
    migrate-imap.ps1 - the realistic admin script of issue 13, run end to end
    against Dovecot by tests/integration/e2e_admin_script.sh: it checks the
    server, makes the endpoint, validates the CSV (bad rows go to a log),
    creates and starts the batch, shows progress until the initial sync is
    done, completes the batch and exports one report line per user.
    Exit status: 0 when every valid user was migrated, 1 otherwise.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$CsvPath,
    [string]$RemoteServer = 'imap.contoso.com',
    [int]$Port = 993,
    [ValidateSet('None', 'Ssl', 'Tls')][string]$Security = 'Ssl',
    [string]$BatchName = 'IMAP-Wave1',
    [string]$ReportPath = './migration-report.csv',
    [int]$TimeoutSeconds = 300
)

Import-Module ExchangeOnlineManagement
Connect-ExchangeOnline -UserPrincipalName admin@contoso.edu -ShowBanner:$false
$ErrorActionPreference = 'Stop'
$LogPath = Join-Path (Get-Location).Path 'migration.log'
$script:Problems = 0

# ---------------------------------------------------------------- helpers

function Write-Log {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)][string]$Message,
        [ValidateSet('INFO', 'WARN', 'ERROR')][string]$Level = 'INFO'
    )
    $line = '{0} [{1,-5}] {2}' -f (Get-Date -Format 'yyyy-MM-dd HH:mm:ss'), $Level, $Message
    Add-Content -Path $LogPath -Value $line
    Write-Verbose $line
    if ($Level -ne 'INFO') { $script:Problems++ }
}

function Test-UserRow {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, ValueFromPipeline = $true)][psobject]$Row)
    begin { $n = 0 }
    process {
        $n++
        $problem = $null
        if ($Row.EmailAddress -notmatch '^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$') { $problem = "bad address '$($Row.EmailAddress)'" }
        elseif (-not $Row.UserName) { $problem = 'no user name' }
        elseif (-not $Row.Password) { $problem = 'no password' }
        [pscustomobject]@{
            Line         = $n + 1
            EmailAddress = $Row.EmailAddress
            UserName     = $Row.UserName
            Password     = $Row.Password
            Problem      = $problem
        }
    }
    end { Write-Verbose "checked $n rows" }
}

function Wait-BatchStatus {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Identity,
        [Parameter(Mandatory = $true)]$Status,   # one status or a list
        [int]$TimeoutSeconds = 300
    )
    $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
    while ($true) {
        $b = Get-MigrationBatch -Identity $Identity
        $done = [int]$b.SyncedCount + [int]$b.FailedCount + [int]$b.FinalizedCount
        $pct = if ($b.TotalCount -gt 0) { [math]::Min(100, [int](100 * $done / $b.TotalCount)) } else { 0 }
        Write-Progress -Activity "Batch $Identity" -Status "$($b.Status): $done of $($b.TotalCount) users" -PercentComplete $pct
        if ($Status -contains "$($b.Status)") { break }
        if ((Get-Date) -gt $deadline) { throw "Batch $Identity is still $($b.Status) after $TimeoutSeconds seconds" }
        Start-Sleep -Seconds 1
    }
    Write-Progress -Activity "Batch $Identity" -Completed
    return $b
}

# ---------------------------------------------------------------- 1. the source server

Write-Log "Migration of $CsvPath from $($RemoteServer):$Port started"
$test = Test-MigrationServerAvailability -IMAP -RemoteServer $RemoteServer -Port $Port -Security $Security
if ($test.Result -ne 'Success') {
    Write-Log "Server test failed: $($test.Message)" -Level ERROR
    exit 1
}
Write-Log "Server test: $($test.Result)"

$endpoint = Get-MigrationEndpoint -Identity 'IMAPEndpoint' -ErrorAction SilentlyContinue
if ($null -eq $endpoint) {
    New-MigrationEndpoint -IMAP -Name 'IMAPEndpoint' -RemoteServer $RemoteServer -Port $Port -Security $Security | Out-Null
    Write-Log 'Endpoint IMAPEndpoint created'
}

# ---------------------------------------------------------------- 2. the CSV file

if (-not (Test-Path -Path $CsvPath -PathType Leaf)) { throw "Cannot find the CSV file $CsvPath" }
$rows = @(Import-Csv -Path $CsvPath | Test-UserRow)
$valid = @($rows | Where-Object { $null -eq $_.Problem })
foreach ($bad in ($rows | Where-Object { $_.Problem })) {
    Write-Log ("CSV line {0} skipped: {1}" -f $bad.Line, $bad.Problem) -Level WARN
}
if ($valid.Count -eq 0) { Write-Log 'No valid rows in the CSV file' -Level ERROR; exit 1 }
$cleanCsv = Join-Path (Split-Path -Path $LogPath -Parent) 'batch-users.csv'
$valid | Select-Object EmailAddress, UserName, Password | Export-Csv -Path $cleanCsv -NoTypeInformation
Write-Log "$($valid.Count) of $($rows.Count) rows are valid"

# ---------------------------------------------------------------- 3. the batch

$existing = Get-MigrationBatch -Identity $BatchName -ErrorAction SilentlyContinue 2>$null
if ($null -ne $existing) { throw "A batch named $BatchName exists already" }
try {
    $batch = New-MigrationBatch -Name $BatchName -SourceEndpoint 'IMAPEndpoint' `
        -CSVData ([System.IO.File]::ReadAllBytes($cleanCsv)) -AutoStart
    Write-Log "Batch $($batch.Identity) created with $($batch.TotalCount) users"
}
catch {
    Write-Log "New-MigrationBatch failed: $($_.Exception.Message)" -Level ERROR
    exit 1
}
finally {
    Remove-Item -Path $cleanCsv -ErrorAction SilentlyContinue 2>> (Join-Path (Get-Location).Path 'errors.log')   # it holds passwords
}

$synced = Wait-BatchStatus -Identity $BatchName -Status 'Synced', 'SyncedWithErrors', 'Failed' -TimeoutSeconds $TimeoutSeconds
Write-Log "Initial sync finished: $($synced.Status)"
if ($synced.Status -eq 'Failed') { Write-Log 'The batch failed' -Level ERROR; exit 1 }

# ---------------------------------------------------------------- 4. completion

$final = Complete-MigrationBatch -Identity $BatchName -Wait -Confirm:$false
Write-Log "Batch completed: $($final.Status)"

# ---------------------------------------------------------------- 5. the report

$report = foreach ($user in Get-MigrationUser -BatchId $BatchName) {
    $stats = Get-MigrationUserStatistics -Identity $user.Identity
    [pscustomobject]@{
        EmailAddress = "$($user.Identity)"
        Status       = "$($stats.Status)"
        Synced       = [int]$stats.SyncedItemCount
        Skipped      = [int]$stats.SkippedItemCount
        Error        = "$($stats.Error)"
    }
}
$report | Sort-Object EmailAddress | Export-Csv -Path $ReportPath -NoTypeInformation
Write-Log "Report written to $ReportPath"

$failed = @($report | Where-Object { $_.Status -notlike 'Completed*' })
foreach ($f in $failed) { Write-Log "$($f.EmailAddress) is $($f.Status): $($f.Error)" -Level ERROR }

"Batch $BatchName`: $(@($report).Count) users, $($failed.Count) failed, $(($report | Measure-Object Synced -Sum).Sum) messages" > summary.txt
"Problems logged: $script:Problems" >> summary.txt
Get-Content summary.txt | Write-Host
$report | Format-Table EmailAddress, Status, Synced -AutoSize | Out-String | Write-Verbose

Disconnect-ExchangeOnline -Confirm:$false
if ($failed.Count -gt 0) { exit 1 }
exit 0
