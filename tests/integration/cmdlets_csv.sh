#!/bin/sh
# cmdlets_csv.sh - every CSV rule of New-MigrationBatch (issue 6), each
# checking the message the admin sees:
#   whole-file refusals (no batch is created): empty file, not comma-separated,
#   more than 50,000 rows, larger than 10 MB, header without EmailAddress /
#   UserName / Password, unknown column (accepted with
#   -AllowUnknownColumnsInCsv $true), a row with a different column count
#   (line named);
#   row refusals (user created Failed, the rest goes on): malformed address,
#   empty UserName, empty Password, duplicate address, address already in
#   another batch;
#   accepted forms: BOM, LF or CRLF, quoted fields with commas and quotes,
#   case-insensitive header, optional UserRoot, the three admin UserName
#   formats carried untouched; -CSVFile and Get-Content -Encoding Byte.
# No server is contacted (the endpoint is saved with -SkipVerification).
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

D=$MG_TMP
ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer imap.example.invalid -SkipVerification" 'Src'

new_batch() { # NAME FILE [EXTRA]
	ms "New-MigrationBatch -Name $1 -SourceEndpoint Src -CSVData ([System.IO.File]::ReadAllBytes('$2')) ${3:-}"
}
refused() { # NAME FILE RE [EXTRA]
	new_batch "$1" "$2" "${4:-}"
	[ "$RC" -ne 0 ] || { ms_show; mg_fail "CSV $2 was accepted"; }
	ms_err_has "$3"
	ms "Get-MigrationBatch $1"
	[ "$RC" -ne 0 ] || { ms_show; mg_fail "a batch $1 was created from a refused CSV"; }
}

# --- whole-file refusals
: >"$D/empty.csv"
refused Empty "$D/empty.csv" '[Ee]mpty'
ms_csv "$D/semicolon.csv" 'EmailAddress;UserName;Password' 'a@example.com;a;pw'
refused Semi "$D/semicolon.csv" '[Cc]omma'
awk 'BEGIN { print "EmailAddress,UserName,Password"; for (i = 1; i <= 50001; i++) printf "u%d@example.com,u%d,pw%d\n", i, i, i }' >"$D/rows.csv"
refused Rows "$D/rows.csv" '50[,.]?000'
awk 'BEGIN { pad = sprintf("%240s", ""); gsub(/ /, "x", pad); print "EmailAddress,UserName,Password";
             for (i = 1; i <= 45000; i++) printf "u%d@example.com,u%d,%s\n", i, i, pad }' >"$D/big.csv"
refused Big "$D/big.csv" '10 ?MB'
ms_csv "$D/noemail.csv" 'Email Address,UserName,Password' 'a@example.com,a,pw'
refused NoEmail "$D/noemail.csv" 'EmailAddress'
ms_csv "$D/nouser.csv" 'EmailAddress,Password' 'a@example.com,pw'
refused NoUser "$D/nouser.csv" 'UserName'
ms_csv "$D/nopass.csv" 'EmailAddress,UserName' 'a@example.com,a'
refused NoPass "$D/nopass.csv" 'Password'
ms_csv "$D/unknown.csv" 'EmailAddress,UserName,Password,Department' 'a@example.com,a,pw,Sales'
refused Unknown "$D/unknown.csv" 'Department'
ms_csv "$D/columns.csv" 'EmailAddress,UserName,Password' 'a@example.com,a,pw' 'b@example.com,b' 'c@example.com,c,pw'
refused Columns "$D/columns.csv" '[Ll]ine 3'

# unknown columns are ignored with -AllowUnknownColumnsInCsv $true
new_batch Unknown2 "$D/unknown.csv" '-AllowUnknownColumnsInCsv $true'
[ "$RC" -eq 0 ] || { ms_show; mg_fail "-AllowUnknownColumnsInCsv \$true did not accept the CSV"; }
ms_ok "(Get-MigrationBatch Unknown2).TotalCount" '^1$'
ms_ok "Remove-MigrationBatch Unknown2 -Confirm:\$false"

# --- per-row refusals: the user is created Failed with the reason, the rest goes on
ms_csv "$D/rows-bad.csv" \
	'EmailAddress,UserName,Password' \
	'good@example.com,good,pw1' \
	'not-an-address,bad1,pw2' \
	'nouser@example.com,,pw3' \
	'nopass@example.com,nopass,' \
	'good@example.com,again,pw4' \
	'fine@example.com,fine,pw5'
new_batch RowRules "$D/rows-bad.csv"
[ "$RC" -eq 0 ] || { ms_show; mg_fail "row errors must not refuse the batch"; }
ms_err_has 'failed validation'
ms_ok "Get-MigrationBatch RowRules | Format-List Status,TotalCount,FailedCount" 'Status +: Created' 'TotalCount +: [56]' 'FailedCount +: [34]'
ms_ok "Get-MigrationUser -BatchId RowRules -Status Failed | Format-List Identity,ErrorSummary" 'not-an-address'
ms_ok "(Get-MigrationUserStatistics not-an-address).Error" '([Ee]mail|address)'
ms_ok "(Get-MigrationUserStatistics nouser@example.com).Error" 'UserName'
ms_ok "(Get-MigrationUserStatistics nopass@example.com).Error" 'Password'
ms_ok "Get-MigrationUser -BatchId RowRules | Format-List Identity,Status,ErrorSummary" 'more than once'
ms_ok "(Get-MigrationUser fine@example.com).Status" '^Stopped$|^Created$|^Queued$'
# an address already in another batch
ms_csv "$D/other.csv" 'EmailAddress,UserName,Password' 'fine@example.com,fine,pw' 'new@example.com,new,pw'
new_batch Other "$D/other.csv"
[ "$RC" -eq 0 ] || { ms_show; mg_fail "a row already in another batch must not refuse the batch"; }
ms_ok "Get-MigrationUser -BatchId Other -Status Failed | Format-List Identity,ErrorSummary" 'fine@example.com' 'RowRules'
ms_ok "(Get-MigrationUser -BatchId Other -StatusSummary Failed).Count" '^1$'

# --- accepted forms: BOM + LF, quoted fields, case-insensitive header, UserRoot, admin formats
printf '\357\273\277emailaddress,USERNAME,password,UserRoot\n' >"$D/forms.csv"
printf '%s\n' \
	'terry.adams@example.com,"contoso-students/mailadmin/terry.adams","p,w ""1""",' \
	'ann@example.com,ann*mailadmin,pw2,' \
	'bob@example.com,#bob@example.com#mailadmin#,pw3,' \
	'cy@example.com,mailadmin,pw4,/users/cy' >>"$D/forms.csv"
new_batch Forms "$D/forms.csv"
[ "$RC" -eq 0 ] || { ms_show; mg_fail "a valid CSV with BOM/LF/quotes was refused"; }
ms_ok "(Get-MigrationBatch Forms).FailedCount" '^0$'
ms_ok "(Get-MigrationUser terry.adams@example.com).UserName" '^contoso-students/mailadmin/terry\.adams$'
ms_ok "(Get-MigrationUser ann@example.com).UserName" '^ann\*mailadmin$'
ms_ok "(Get-MigrationUser bob@example.com).UserName" '^#bob@example\.com#mailadmin#$'
ms_ok "(Get-MigrationUser cy@example.com).UserRoot" '^/users/cy$'
ms_ok "Get-MigrationUser -BatchId Forms | Format-List *" 'Identity'
ms_passwords_absent 'p,w "1"' pw2 pw3 pw4
# CRLF, -CSVFile (extension) and Get-Content -Encoding Byte
ms_csv "$D/crlf.csv" 'EmailAddress,UserName,Password' 'crlf1@example.com,c1,pw' 'crlf2@example.com,c2,pw'
ms_ok "New-MigrationBatch -Name ByFile -SourceEndpoint Src -CSVFile '$D/crlf.csv' | Format-List TotalCount" 'TotalCount +: 2'
ms_ok "(Get-MigrationUser crlf2@example.com).UserName" '^c2$'
ms_csv "$D/gc.csv" 'EmailAddress,UserName,Password' 'gc@example.com,gc,pw'
ms_ok "New-MigrationBatch -Name ByGetContent -SourceEndpoint Src -CSVData (Get-Content -Path '$D/gc.csv' -Encoding Byte -ReadCount 0) | Format-List TotalCount" 'TotalCount +: 1'
# limits on the batch itself: name length, unknown endpoint, unique name
long=$(printf '%065d' 0 | tr 0 x)
ms_fails "New-MigrationBatch -Name $long -SourceEndpoint Src -CSVFile '$D/gc.csv'" '64'
ms_fails "New-MigrationBatch -Name NoSrc -SourceEndpoint Nope -CSVFile '$D/gc.csv'" "couldn't be found"
ms_fails "New-MigrationBatch -Name forms -SourceEndpoint Src -CSVFile '$D/gc.csv'" '(already|exists)'
ms_check_service_logs
# batch options are kept as given; a content filter on anything but the received date is refused
ms_csv "$D/opt.csv" 'EmailAddress,UserName,Password' 'opt@example.com,opt,pw'
ms_fails "New-MigrationBatch -Name BadFilter -SourceEndpoint Src -CSVFile '$D/opt.csv' -ContentFilter \"Subject -eq 'x'\"" 'ContentFilter' 'Received'
ms_fails "Get-MigrationBatch BadFilter" "couldn't be found"
ms_ok "New-MigrationBatch -Name Opt -SourceEndpoint Src -CSVFile '$D/opt.csv' -ExcludeFolders 'Deleted Items','Junk Email' -ContentFilter \"Received -gt '8/23/2020' -and Received -lt '1/1/2021'\" -NotificationEmails a@example.com,b@example.com -BadItemLimit Unlimited -LargeItemLimit 5 | Format-List ExcludedFolders,ContentFilter,NotificationEmails,BadItemLimit,LargeItemLimit,Status" \
	'ExcludedFolders +: \{Deleted Items, Junk Email\}' "ContentFilter +: Received -gt '8/23/2020' -and Received -lt '1/1/2021'" \
	'NotificationEmails +: \{a@example.com, b@example.com\}' 'BadItemLimit +: Unlimited' 'LargeItemLimit +: 5' 'Status +: Created'
ms_ok "Set-MigrationBatch Opt -NotificationEmails c@example.com -ReportInterval 12:00:00 -SkipReports \$true"
ms_ok "Get-MigrationBatch Opt | Format-List NotificationEmails,ReportInterval,SkipReports" '\{c@example.com\}' 'ReportInterval +: 12:00:00' 'SkipReports +: True'
echo "cmdlets_csv: ok"
