#!/bin/sh
# objects_utility.sh - the utility cmdlets and PowerShell-style output, run
# through the real binary: Format-List/-Table layouts, Select-Object,
# Where-Object (both forms), Sort/Group/Measure, CSV and JSON, Get-Content
# bytes (the -CSVData idiom), Out-File, Get-Date, Get-Command, Get-Help.
set -u
: "${MIGSH:?MIGSH must name the migsh binary}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/objects_utility.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export MIGSH_HOME="$TMP/home" TZ=UTC COLUMNS=120 NO_COLOR=1
cd "$TMP" || exit 1

if ! "$MIGSH" -c 'Write-Output ok' 2>/dev/null | grep -qx ok; then
	echo "SKIP: $MIGSH cannot run 'Write-Output ok' yet"
	exit 77
fi

failures=0
# check NAME EXPECTED-FILE-CONTENT COMMAND: stdout must equal the expectation
check() {
	name=$1 want=$2 cmd=$3
	got=$("$MIGSH" -c "$cmd" 2>"$TMP/err"); rc=$?
	if [ "$got" != "$want" ] || [ "$rc" -ne 0 ]; then
		echo "FAIL: $name (exit status $rc)"
		echo "  command:  $cmd"
		echo "  expected:"; printf '%s\n' "$want" | sed 's/^/    |/'
		echo "  got:"; printf '%s\n' "$got" | sed 's/^/    |/'
		sed 's/^/  stderr: /' "$TMP/err"
		failures=$((failures + 1))
	else
		echo "ok: $name"
	fi
}
# contains NAME SUBSTRING COMMAND
contains() {
	name=$1 want=$2 cmd=$3
	got=$("$MIGSH" -c "$cmd" 2>&1)
	case $got in
	*"$want"*) echo "ok: $name" ;;
	*) echo "FAIL: $name: output lacks '$want'"; printf '%s\n' "$got" | sed 's/^/    |/'
	   failures=$((failures + 1)) ;;
	esac
}

printf 'EmailAddress,UserName,Password\nterrya@contoso.edu,terry.adams,p1\nannb@contoso.edu,ann.beebe,"p,2"\n' > users.csv

check "Format-List with wildcards, names padded" "
EmailAddress : terrya@contoso.edu
UserName     : terry.adams

EmailAddress : annb@contoso.edu
UserName     : ann.beebe" 'Import-Csv users.csv | Format-List Email*,username,NoSuchProperty'

check "Format-Table: header, dashes, rows" "
EmailAddress       UserName
------------       --------
terrya@contoso.edu terry.adams
annb@contoso.edu   ann.beebe" 'Import-Csv users.csv | Format-Table EmailAddress,UserName'

check "default display: 3 properties make a table" "
EmailAddress       UserName    Password
------------       --------    --------
terrya@contoso.edu terry.adams p1
annb@contoso.edu   ann.beebe   p,2" 'Import-Csv users.csv'

check "Where-Object simplified form is case-insensitive" "annb@contoso.edu" \
	'Import-Csv users.csv | Where-Object UserName -eq ANN.BEEBE | Select-Object -ExpandProperty EmailAddress'
check "Where-Object script block" "terrya@contoso.edu" \
	'Import-Csv users.csv | Where-Object { $_.UserName -like "terry*" } | ForEach-Object EmailAddress'
check "Where-Object -Match" "annb@contoso.edu" \
	'Import-Csv users.csv | ? Password -Match "^p,\d$" | % EmailAddress'
check "Where-Object -In and -Contains" "terrya@contoso.edu
annb@contoso.edu" \
	'$u = Import-Csv users.csv; ($u | Where-Object UserName -In "terry.adams","x").EmailAddress; ($u | Where-Object { $_.UserName -eq "ann.beebe" } | Where-Object EmailAddress -NotIn "a","b").EmailAddress'
check "Select-Object -ExcludeProperty and *" '"EmailAddress","UserName"' \
	'(Import-Csv users.csv | Select-Object * -ExcludeProperty Pass* -First 1 | ConvertTo-Csv)[0]'
check "Write-Host -NoNewline and -Separator" "a-b|c" \
	'Write-Host a,b -Separator - -NoNewline; Write-Host "|c" -ForegroundColor Green'
check "Select-Object calculated property, -First, -Last" "
Mail             Len
----             ---
annb@contoso.edu   9" \
	'Import-Csv users.csv | Select-Object -Last 1 @{Name="Mail";Expression={$_.EmailAddress}},@{n="Len";e={$_.UserName.Length}}'
check "Sort-Object -Descending and -Unique" "3
2
1" '1,3,2,3,1 | Sort-Object -Descending -Unique'
check "Group-Object table" "
Count Name Group
----- ---- -----
    2 a    {a, A}
    1 b    {b}" "'a','b','A' | Group-Object"
check "Measure-Object -Sum -Average -Maximum" "10 2.5 4" \
	'$m = 1,2,3,4 | Measure-Object -Sum -Average -Maximum; "$($m.Sum) $($m.Average) $($m.Maximum)"'
check "ConvertTo-Json -Compress keeps order and types" '{"Name":"x","Count":2,"On":true,"None":null}' \
	'@{Name="x"; Count=2; On=$true; None=$null} | ConvertTo-Json -Compress'
check "ConvertTo-Csv quotes every field (PowerShell 7)" '"EmailAddress","UserName"
"terrya@contoso.edu","terry.adams"' \
	'Import-Csv users.csv | Select-Object EmailAddress,UserName -First 1 | ConvertTo-Csv -NoTypeInformation'

printf '\357\273\277Name;Note\r\n"a;1";"say ""hi""\nthere"\r\nb;\r\n' > tricky.csv
check "Import-Csv: BOM, -Delimiter, quotes, CRLF and a quoted line break" 'a;1|say "hi"
there
b|' 'Import-Csv tricky.csv -Delimiter ";" | ForEach-Object { $_.Name + "|" + $_.Note }'
"$MIGSH" -c 'Import-Csv users.csv | Export-Csv -Path out.csv -NoTypeInformation' 2>&1
check "Export-Csv then Import-Csv round trip" "ann.beebe p,2" \
	'$u = Import-Csv out.csv | Where-Object EmailAddress -eq "annb@contoso.edu"; "$($u.UserName) $($u.Password)"'
if head -1 out.csv | grep -q '^#TYPE'; then echo "FAIL: Export-Csv wrote a #TYPE line"; failures=$((failures + 1)); fi

size=$(wc -c < users.csv | tr -d ' ')
check "Get-Content -Encoding Byte -ReadCount 0 returns the bytes" "$size" \
	'(Get-Content -Path users.csv -Encoding Byte -ReadCount 0).Count'
check "Get-Content -AsByteStream -Raw returns the bytes" "$size" \
	'(Get-Content -Path users.csv -AsByteStream -Raw).Count'
check "Get-Content lines and -TotalCount" "EmailAddress,UserName,Password" \
	'Get-Content users.csv -TotalCount 1'
mkdir -p "$MIGSH_HOME/drives/c/Users/Administrator/Desktop"
cp users.csv "$MIGSH_HOME/drives/c/Users/Administrator/Desktop/IMAPmigration_1.csv"
check "Get-Content maps Windows paths" "3" \
	'(Get-Content -Path C:\Users\Administrator\Desktop\IMAPmigration_1.csv).Count'
out=$("$MIGSH" -c 'Get-Content -Path C:\nowhere\missing.csv' 2>&1); rc=$?
case $out in
*missing.csv*) echo "ok: a missing Windows path is an error naming it" ;;
*) echo "FAIL: missing path error: $out"; failures=$((failures + 1)) ;;
esac
[ "$rc" -ne 0 ] || { echo "FAIL: missing path exited 0"; failures=$((failures + 1)); }

"$MIGSH" -c 'Import-Csv users.csv | Format-Table EmailAddress | Out-File -FilePath table.txt; "second" | Out-File table.txt -Append'
check "Out-File writes the console text, -Append adds" "
EmailAddress
------------
terrya@contoso.edu
annb@contoso.edu

second" 'Get-Content table.txt -Raw'

check "Get-Date -Format" "2025-03-14 10:02" "Get-Date -Date '2025-03-14T10:02:11Z' -Format 'yyyy-MM-dd HH:mm'"
check "dates print in en-US culture" "3/14/2025 10:02:11 AM" "Get-Date -Date '2025-03-14T10:02:11Z'"
check "Get-Command wildcard and alias" "Format-List
Alias" '(Get-Command fl).ResolvedCommandName; (Get-Command fl).CommandType'
contains "Get-Command lists migration cmdlets" "New-MigrationBatch" 'Get-Command -Noun Migration*'
contains "Get-Help -Full has parameter attributes" "Accept pipeline input?" 'Get-Help Select-Object -Full'
contains "Get-Help -Examples" "Example 1" 'Get-Help Where-Object -Examples'
contains "Get-Help about_ topics" "about_migsh_troubleshooting" 'Get-Help about_*'
contains "Get-Help topic text" "CERTIFICATE ERRORS" 'Get-Help about_migsh_troubleshooting'
out=$("$MIGSH" -c 'Get-Help No-SuchThing' 2>&1); rc=$?
case $out in *"could not find"*) echo "ok: Get-Help unknown name errors" ;;
*) echo "FAIL: Get-Help unknown: $out"; failures=$((failures + 1)) ;; esac
[ "$rc" -eq 1 ] || { echo "FAIL: Get-Help unknown exit status $rc (want 1)"; failures=$((failures + 1)); }

check "Get-Member lists properties" "EmailAddress
Password
UserName" 'Import-Csv users.csv | Get-Member -MemberType NoteProperty | ForEach-Object Name'
check "Out-Null discards" "" '1,2,3 | Out-Null'
out=$("$MIGSH" -c 'Write-Error "custom failure"; Write-Output after' 2>"$TMP/err"); rc=$?
[ "$out" = after ] || { echo "FAIL: Write-Error stopped the script: $out"; failures=$((failures + 1)); }
grep -q "custom failure" "$TMP/err" || { echo "FAIL: Write-Error text not on stderr"; failures=$((failures + 1)); }
"$MIGSH" -c 'Write-Error "stop here"' 2>/dev/null; rc=$?
[ "$rc" -eq 1 ] && echo "ok: Write-Error fails the statement (exit status 1)" ||
	{ echo "FAIL: Write-Error exit status $rc (want 1)"; failures=$((failures + 1)); }

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
