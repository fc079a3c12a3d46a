#!/bin/sh
# shell_cli.sh - migsh's non-interactive entry points: -Command/-c, -File
# (and a bare path), commands on stdin; exit codes (0 ok, 1 last statement
# failed, 2 parse error, exit N); errors on stderr, output on stdout; no
# colours off a terminal; --version and --help.
set -u
: "${MIGSH:?MIGSH must point at the built migsh}"
T=$(mktemp -d "${TMPDIR:-/tmp}/migsh-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
export MIGSH_HOME="$T/home"
fails=0
n=0

check() { # name expected-rc actual-rc
	n=$((n + 1))
	if [ "$2" != "$3" ]; then
		echo "not ok $n - $1 (exit $3, expected $2)"
		echo "# stdout: $(cat "$T/out")"
		echo "# stderr: $(cat "$T/err")"
		fails=$((fails + 1))
	else
		echo "ok $n - $1"
	fi
}
contains() { # name file text
	n=$((n + 1))
	if grep -qF -- "$3" "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1: '$3' not in $(basename "$2")"
		sed 's/^/# /' "$2"
		fails=$((fails + 1))
	fi
}
lacks() { # name file basic-regex
	n=$((n + 1))
	if grep -q -- "$3" "$2"; then
		echo "not ok $n - $1: '$3' in $(basename "$2")"
		grep -- "$3" "$2" | sed 's/^/# /'
		fails=$((fails + 1))
	else
		echo "ok $n - $1"
	fi
}
empty() { # name file
	n=$((n + 1))
	if [ -s "$2" ]; then
		echo "not ok $n - $1: $(basename "$2") not empty"
		sed 's/^/# /' "$2"
		fails=$((fails + 1))
	else
		echo "ok $n - $1"
	fi
}

"$MIGSH" -c '"hello"; 1 + 2' >"$T/out" 2>"$T/err"; check "-c runs statements" 0 $?
contains "-c output on stdout" "$T/out" "hello"
contains "-c evaluates expressions" "$T/out" "3"
empty "-c success writes nothing to stderr" "$T/err"

"$MIGSH" -Command 'exit 3' >"$T/out" 2>"$T/err"; check "exit 3 sets the status" 3 $?

"$MIGSH" -c 'Get-NoSuchThing' >"$T/out" 2>"$T/err"; check "unknown cmdlet fails with 1" 1 $?
contains "unknown cmdlet error on stderr" "$T/err" "is not recognized as the name of a cmdlet"
contains "error has PowerShell layout" "$T/err" "+ FullyQualifiedErrorId : CommandNotFoundException"
empty "nothing on stdout for a failed command" "$T/out"
n=$((n + 1))
if grep -q "$(printf '\033')" "$T/err"; then echo "not ok $n - colours off a terminal"; fails=$((fails + 1)); else echo "ok $n - no colours off a terminal"; fi

"$MIGSH" -c 'Get-MigrationBatchh' >"$T/out" 2>"$T/err"; check "misspelled cmdlet" 1 $?
contains "closest cmdlet suggested" "$T/err" "Get-MigrationBatch"

"$MIGSH" -c 'Get-NoSuchThing; "still runs"' >"$T/out" 2>"$T/err"; check "status follows the last statement" 0 $?
contains "statements after an error run" "$T/out" "still runs"

"$MIGSH" -c 'Get-MigrationBatch NoSuchBatch -ErrorAction Stop; "not reached"' >"$T/out" 2>"$T/err"
check "-ErrorAction Stop ends the script" 1 $?
n=$((n + 1))
if grep -q "not reached" "$T/out"; then echo "not ok $n - statement after -ErrorAction Stop ran"; fails=$((fails + 1)); else echo "ok $n - nothing runs after -ErrorAction Stop"; fi
"$MIGSH" -c 'try { Get-MigrationBatch NoSuchBatch -ErrorAction Stop } catch { "caught" }; "goes on"' >"$T/out" 2>"$T/err"
check "-ErrorAction Stop can be caught" 0 $?
contains "catch block ran, script went on" "$T/out" "goes on"

"$MIGSH" -c '"unterminated' >"$T/out" 2>"$T/err"; check "parse error exits 2" 2 $?
contains "parse error message" "$T/err" "The string is missing the terminator"
"$MIGSH" -c 'if ($true) {' >"$T/out" 2>"$T/err"; check "unterminated block exits 2" 2 $?
contains "block error message" "$T/err" "Missing closing '}'"

"$MIGSH" -c 'New-MigrationEndpoint -IMAP -Name E -RemoteServer h -Max 5' >"$T/out" 2>"$T/err"
check "ambiguous parameter fails" 1 $?
contains "ambiguous lists candidates" "$T/err" "Possible matches include: -MaxConcurrentMigrations -MaxConcurrentIncrementalSyncs."
"$MIGSH" -c 'New-MigrationEndpoint -IMAP -Name E -RemoteServer h -Security Foo' >"$T/out" 2>"$T/err"
check "bad enum value fails" 1 $?
contains "allowed values listed" "$T/err" "None, Ssl, Tls"
"$MIGSH" -c 'New-MigrationEndpoint -IMAP -Name E' </dev/null >"$T/out" 2>"$T/err"
check "missing mandatory parameter fails without a terminal" 1 $?
contains "missing mandatory named" "$T/err" "missing mandatory parameters: RemoteServer"
"$MIGSH" -c 'Get-MigrationBatch A B' >"$T/out" 2>"$T/err"; check "too many positional arguments" 1 $?
contains "positional error" "$T/err" "A positional parameter cannot be found that accepts argument 'B'."

# -File with arguments, and a bare path
cat >"$T/s.ps1" <<'PS1'
# a script: comments, variables, a loop, $args
$total = 0
foreach ($n in 1..4) { $total += $n }
"total=$total first=$($args[0])"
if ($args.Count -gt 1) { exit [int]$args[1] }
PS1
"$MIGSH" -File "$T/s.ps1" one >"$T/out" 2>"$T/err"; check "-File runs a script" 0 $?
contains "-File output and \$args" "$T/out" "total=10 first=one"
"$MIGSH" "$T/s.ps1" two 5 >"$T/out" 2>"$T/err"; check "bare path runs a script; exit N from the script" 5 $?
contains "bare path output" "$T/out" "first=two"
cat >"$T/p.ps1" <<'PS1'
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string] $Batch,
    [int] $Count = 2,
    [switch] $Loud
)
"batch=$Batch count=$Count loud=$Loud rest=$($args -join ',')"
PS1
"$MIGSH" -File "$T/p.ps1" -Count 5 B1 -Loud more >"$T/out" 2>"$T/err"; check "script with a param() block" 0 $?
contains "script parameters bound by name, position and switch" "$T/out" "batch=B1 count=5 loud=True rest=more"
"$MIGSH" -c "& '$T/p.ps1' -Ba B2 -Loud:\$false" >"$T/out" 2>"$T/err"; check "& 'script.ps1' with parameters" 0 $?
contains "prefix and -Switch:\$false" "$T/out" "batch=B2 count=2 loud=False"
"$MIGSH" -File "$T/p.ps1" -Nope 1 >"$T/out" 2>"$T/err"; check "unknown script parameter fails" 1 $?
contains "unknown script parameter named" "$T/err" "A parameter cannot be found that matches parameter name 'Nope'."
printf 'Get-NoSuchThing\n' >"$T/bad.ps1"
"$MIGSH" -File "$T/bad.ps1" >"$T/out" 2>"$T/err"; check "script whose last statement fails" 1 $?
contains "script errors name the file and line" "$T/err" "At $T/bad.ps1:1 char:1"
"$MIGSH" -File "$T/nope.ps1" >"$T/out" 2>"$T/err"; rc=$?; n=$((n + 1))
if [ $rc -ne 0 ] && [ -s "$T/err" ]; then echo "ok $n - missing script is an error"; else echo "not ok $n - missing script"; fails=$((fails + 1)); fi

# stdin
printf '$x = "from stdin"\n$x\n' | "$MIGSH" >"$T/out" 2>"$T/err"; check "commands from stdin" 0 $?
contains "stdin output" "$T/out" "from stdin"
printf '"ok"\nexit 7\n' | "$MIGSH" >"$T/out" 2>"$T/err"; check "exit N from stdin" 7 $?
printf 'Get-X "open\n' | "$MIGSH" >"$T/out" 2>"$T/err"; check "parse error from stdin exits 2" 2 $?

# Remove-* without a terminal: a clear error telling to add -Confirm:$false
"$MIGSH" -c 'Remove-MigrationBatch -Identity Nope' </dev/null >"$T/out" 2>"$T/err"; check "Remove-* without a terminal fails" 1 $?
n=$((n + 1))
if grep -qF -- '-Confirm:$false' "$T/err" || grep -qF "couldn't be found" "$T/err"; then echo "ok $n - confirmation / not-found error shown"; else echo "not ok $n - Remove error"; sed 's/^/# /' "$T/err"; fails=$((fails + 1)); fi

# Windows path that exists nowhere
"$MIGSH" -c '[System.IO.File]::ReadAllBytes("C:\Users\Administrator\Desktop\none.csv")' >"$T/out" 2>"$T/err"
check "missing Windows path fails" 1 $?
contains "error names the Windows path" "$T/err" 'C:\Users\Administrator\Desktop\none.csv'
contains "error names where it looked" "$T/err" "$MIGSH_HOME/drives/c/Users/Administrator/Desktop/none.csv"
mkdir -p "$MIGSH_HOME/drives/c/Users/Administrator/Desktop"
printf 'EmailAddress,UserName,Password\n' >"$MIGSH_HOME/drives/c/Users/Administrator/Desktop/b.csv"
"$MIGSH" -c '([System.IO.File]::ReadAllBytes("C:\Users\Administrator\Desktop\b.csv")).Length' >"$T/out" 2>"$T/err"
check "mapped Windows path reads" 0 $?
contains "bytes read" "$T/out" "31"

# a long loop shows its output while it runs (a console watching a batch),
# not only when the statement ends: the loop keeps going until the test has
# seen its first line and creates the stop file
"$MIGSH" -c "while (-not [System.IO.File]::Exists('$T/stop')) { 'tick'; Start-Sleep -Milliseconds 300 }; 'done'" \
	>"$T/out" 2>"$T/err" &
loop_pid=$!
i=0
while ! grep -q tick "$T/out" 2>/dev/null && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
n=$((n + 1))
if grep -q tick "$T/out" && kill -0 "$loop_pid" 2>/dev/null; then
	echo "ok $n - a running loop's output reaches stdout before it ends"
else
	echo "not ok $n - no output from the loop while it ran"
	fails=$((fails + 1))
fi
: >"$T/stop"
wait "$loop_pid"
check "the loop ends when told" 0 $?
contains "the loop ran to its end" "$T/out" "done"

# hostile input (issue 16): no crash, a PowerShell-style error, exit 1 (or 2
# for a parse error); each case is bounded in time so a hang fails too
limit() { # name expected-rc error-id command-text
	printf '%s' "$4" >"$T/hostile.ps1"
	timeout 60 "$MIGSH" -File "$T/hostile.ps1" >"$T/out" 2>"$T/err"
	check "$1" "$2" $?
	contains "$1: error id" "$T/err" "$3"
}
limit "20,000-term 1+1+... is a parse error" 2 ExpressionTooComplex \
	"$(awk 'BEGIN { printf "1"; for (i = 0; i < 20000; i++) printf "+1" }')"
limit "20,000-member \$x.a.a... is a parse error" 2 ExpressionTooComplex \
	"$(awk 'BEGIN { printf "$x = 1; $x"; for (i = 0; i < 20000; i++) printf ".a" }')"
limit "strings nested 30,000 deep are a parse error" 2 NestingTooDeep \
	"$(awk 'BEGIN { for (i = 0; i < 30000; i++) printf "\"$(" }')"
limit "'{0,2000000000}' -f 1 is a format error" 1 FormatError "'{0,2000000000}' -f 1"
limit "('x'*99999)*99999 is refused" 1 StringTooLong "('x'*99999)*99999"
limit "(@(1)*99999)*99999 is refused" 1 ArrayTooLarge "(@(1)*99999)*99999"
limit "1..2000000000 is refused" 1 RangeTooLarge "1..2000000000"
limit "function f { f }; f fails the script" 1 CallDepthOverflow 'function f { f }; f'
"$MIGSH" -c 'function f { f }; f' >"$T/out" 2>"$T/err"; check "-c: unbounded recursion exits 1" 1 $?
"$MIGSH" -c 'function g { 1/0 }; g' >"$T/out" 2>"$T/err"; check "-c: a function whose statement failed exits 1" 1 $?
"$MIGSH" -c '& { 1/0 }' >"$T/out" 2>"$T/err"; check "-c: a script block whose statement failed exits 1" 1 $?
"$MIGSH" -c '1/0; "ok"' >"$T/out" 2>"$T/err"; check "-c: a later statement that succeeds exits 0" 0 $?

# scripts from Windows and Exchange Online (issue 13): a UTF-8 BOM, CRLF line
# ends, #Requires, and the Exchange Online connection lines, warned about once
printf '\357\273\277#Requires -Version 5.1\r\nImport-Module ExchangeOnlineManagement\r\nConnect-ExchangeOnline -UserPrincipalName admin@contoso.edu -ShowBanner:$false\r\nif (1 -eq 1) {\r\n  "one"\r\n}\r\nDisconnect-ExchangeOnline -Confirm:$false\r\n"two"\r\n' >"$T/win.ps1"
"$MIGSH" -File "$T/win.ps1" >"$T/out" 2>"$T/err"; check "a CRLF script with a BOM and #Requires runs" 0 $?
contains "the CRLF script's output" "$T/out" "one"
contains "the CRLF script runs to its end" "$T/out" "two"
n=$((n + 1))
if grep -q "Requires\|not recognized" "$T/err"; then
	echo "not ok $n - the BOM and #Requires line are not taken for a command"; sed 's/^/# /' "$T/err"
	fails=$((fails + 1))
else
	echo "ok $n - the BOM and #Requires line are not taken for a command"
fi
n=$((n + 1))
if [ "$(grep -c 'WARNING: .*does nothing in migsh' "$T/err")" = 1 ]; then
	echo "ok $n - the Exchange Online lines warn exactly once"
else
	echo "not ok $n - the Exchange Online lines should warn exactly once"; sed 's/^/# /' "$T/err"
	fails=$((fails + 1))
fi
"$MIGSH" -c 'Import-Module NoSuchModule' >"$T/out" 2>"$T/err"; check "Import-Module of another module fails" 1 $?
contains "Import-Module names the module" "$T/err" "NoSuchModule"

# programs that are not PowerShell run as programs (issue 13)
"$MIGSH" -c '/bin/echo hi there' >"$T/out" 2>"$T/err"; check "a program by path runs" 0 $?
contains "its output is the shell's" "$T/out" "hi there"
"$MIGSH" -c "sh -c 'exit 3'; \"code=\$LASTEXITCODE\"" >"$T/out" 2>"$T/err"; check "a program from PATH runs" 0 $?
contains "\$LASTEXITCODE is the program's status" "$T/out" "code=3"
"$MIGSH" -c '/bin/false' >"$T/out" 2>"$T/err"; check "a failing program as the last statement exits 1" 1 $?
"$MIGSH" /bin/true >"$T/out" 2>"$T/err"; check "a binary given as the script is refused" 2 $?
contains "the refusal says why" "$T/err" "not a PowerShell script"
printf 'ab\000cd' >"$T/blob.ps1"
"$MIGSH" -c "& '$T/blob.ps1'" >"$T/out" 2>"$T/err"; check "a binary .ps1 file is not parsed" 1 $?
contains "NotAScript error" "$T/err" "NotAScript"

# redirection (issue 13): the error of a migration cmdlet goes nowhere, to a
# file, or into the output
"$MIGSH" -c "Get-MigrationBatch NoSuch 2>\$null; 'after'" >"$T/out" 2>"$T/err"; check "2>\$null: the script goes on" 0 $?
contains "2>\$null: the next statement ran" "$T/out" "after"
empty "2>\$null: nothing on stderr" "$T/err"
"$MIGSH" -c "Get-MigrationBatch NoSuch 2>'$T/e.txt'; 'after'" >"$T/out" 2>"$T/err"; check "2> file" 0 $?
contains "2> file holds the error" "$T/e.txt" "couldn't be found"
empty "2> file: nothing on stderr" "$T/err"
"$MIGSH" -c "Get-MigrationBatch NoSuch 2>&1 | ForEach-Object { 'seen: ' + \$_.FullyQualifiedErrorId }" >"$T/out" 2>"$T/err"
contains "2>&1 makes the error an output object" "$T/out" "seen: ManagementObjectNotFoundException"
empty "2>&1: nothing on stderr" "$T/err"
"$MIGSH" -c "Write-Warning w *>\$null; Write-Host h *>\$null; 'z'" >"$T/out" 2>"$T/err"
empty "*>\$null: no warning on stderr" "$T/err"

# output written before a pause is on the console during the pause (issue 13)
"$MIGSH" -c "foreach (\$i in 1..2) { \"tick\$i\"; Start-Sleep -Seconds 4 }" >"$T/out" 2>"$T/err" &
sleep_pid=$!
i=0
while ! grep -q tick1 "$T/out" 2>/dev/null && [ "$i" -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
n=$((n + 1))
if grep -q tick1 "$T/out" && ! grep -q tick2 "$T/out"; then
	echo "ok $n - the first iteration's output shows before its Start-Sleep ends"
else
	echo "not ok $n - tick1 was not shown within 3 s, during the first pause"
	fails=$((fails + 1))
fi
wait "$sleep_pid"

# a command that makes no connection does not load OpenSSL (opened at its
# first use: loading it was a third of the start-up of every command)
"$MIGSH" -c "Get-MigrationBatch | Out-Null; Get-Content /proc/self/maps" >"$T/out" 2>"$T/err"
check "Get-Content /proc/self/maps" 0 $?
contains "the process maps libsqlite3" "$T/out" "libsqlite3"
lacks "OpenSSL is not loaded by a command that makes no connection" "$T/out" "libssl\|libcrypto"
# nor Readline and its terminfo library: only the interactive shell edits lines
lacks "Readline is not loaded by migsh -c" "$T/out" "libreadline\|libtinfo"

# OpenSSL is opened at the first TLS handshake: a machine without it gets a
# message naming the library and the package, and exit status 127.  An empty
# file stands in for the library, found first through LD_LIBRARY_PATH; a
# listener that accepts and never answers gets the handshake started.
SIL_TOOL=${top_builddir:-.}/tests/lib/mg-silent-listener
if [ -x "$SIL_TOOL" ]; then
	mkdir -p "$T/nolib"
	: >"$T/nolib/libssl.so.3"
	"$SIL_TOOL" 30 "$T/silport" >/dev/null &
	SIL_PID=$!
	i=0
	while [ ! -s "$T/silport" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	LD_LIBRARY_PATH="$T/nolib" "$MIGSH" -c "Test-MigrationServerAvailability -IMAP -RemoteServer 127.0.0.1 -Port $(cat "$T/silport") -Security Ssl" \
		>"$T/out" 2>"$T/err"
	check "without libssl, a TLS connection" 127 $?
	contains "without libssl: the message names the library and the package" "$T/err" "Install the libssl3 package"
	kill "$SIL_PID" 2>/dev/null
else
	n=$((n + 1)); echo "ok $n # SKIP $SIL_TOOL is not built (make check builds it)"
fi

"$MIGSH" --version >"$T/out" 2>"$T/err"; check "--version" 0 $?
contains "--version prints the version" "$T/out" "migsh "
"$MIGSH" --help >"$T/out" 2>"$T/err"; check "--help" 0 $?
contains "--help explains -Command" "$T/out" "-Command"
"$MIGSH" --bogus >"$T/out" 2>"$T/err"; check "unknown option is a usage error" 2 $?

echo "1..$n"
[ "$fails" -eq 0 ]
