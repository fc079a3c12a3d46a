#!/bin/sh
# shell_secrets.sh - a password typed as literal text never comes back: not in
# the line echoed under an error (migsh -c, migsh -File, the REPL; a -Password
# value, the password of -Credentials user,password and of a hashtable,
# ConvertTo-SecureString's text, a Write-Error echo, a parse error), not in
# $Error / $_ (nor their InvocationInfo.Line and .PositionMessage), not in
# Get-History, the history file or a transcript.  The echoed line shows
# ******** instead and the caret still points at the right token.  The
# transcript records each command typed at the prompt.
# No server is contacted: every command with the password fails before that.
set -u
: "${MIGSH:?MIGSH must point at the built migsh}"
T=$(mktemp -d "${TMPDIR:-/tmp}/migsh-secrets.XXXXXX")
SOCK="migsh-secrets-$$"
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	[ -n "${MG_KEEP_TMP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
export MIGSH_HOME="$T/home"
export NO_COLOR=1
mkdir -p "$MIGSH_HOME" "$T/out"
PW=Zq7xSekr1tPw9
MASK='********'
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { # description command...
	d=$1; shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}

# The "+ line" and "+ ~~~" pair of an error in file $1: is the caret's first
# column that of text $2 in the echoed line (after the first "+ " line that
# contains $2)?
caret_on() {
	awk -v want="$2" '
		/^\+ / && !line && index($0, want) { line = $0; next }
		line && /^\+ / { caret = $0; exit }
		END {
			if (!line || !caret) exit 1
			c = index(caret, "~"); w = index(line, want)
			if (c != w) { printf "# caret at %d, %s at %d\n", c, want, w; exit 1 }
		}' "$1"
}

# 1. migsh -c: the error's echoed line
run_c() { # name text
	"$MIGSH" -c "$2" >"$T/out/$1.out" 2>"$T/out/$1.err"
}
run_c cred "New-MigrationEndpoint -IMAP -Name E1 -RemoteServer 127.0.0.1 -Port 1 -Security None -Credentials admin,$PW -Bogus 1"
check "-c -Credentials user,pw: the line is echoed with the password masked" \
	grep -qF -- "+ New-MigrationEndpoint -IMAP -Name E1 -RemoteServer 127.0.0.1 -Port 1 -Security None -Credentials admin,$MASK -Bogus 1" "$T/out/cred.err"
check "-c -Credentials user,pw: char: is the column in the source" grep -qF "At line:1 char:118" "$T/out/cred.err"
check "-c -Credentials user,pw: the caret is under -Bogus" caret_on "$T/out/cred.err" "-Bogus"

run_c credq "New-MigrationEndpoint -IMAP -Name E1 -Credentials 'admin,$PW' -Bogus"
check "-c -Credentials 'user,pw': only the password is masked" \
	grep -qF -- "-Credentials 'admin,$MASK' -Bogus" "$T/out/credq.err"
run_c credh "New-MigrationEndpoint -IMAP -Name E1 -Credentials @{UserName = 'admin'; Password = '$PW'} -Bogus"
check "-c -Credentials @{...}: the hashtable's password is masked" \
	grep -qF -- "@{UserName = 'admin'; Password = $MASK} -Bogus" "$T/out/credh.err"

run_c group "New-MigrationEndpoint -IMAP -Name E1 -Credentials @('admin', '$PW') -Password ('$PW') -Bogus"
check "-c secret values in groups are masked" \
	grep -qF -- "-Credentials @('admin', $MASK) -Password ($MASK) -Bogus" "$T/out/group.err"

run_c pass "New-MigrationEndpoint -IMAP -Name E1 -Password:$PW -Port abc -RemoteServer x"
check "-c -Password:pw masked" grep -qF -- "-Password:$MASK -Port abc" "$T/out/pass.err"
check "-c an error on the token after the password: the caret is under it" caret_on "$T/out/pass.err" "abc"

run_c sec "\$s = ConvertTo-SecureString \"$PW\" -AsPlainText -Force -Bogus"
check "-c ConvertTo-SecureString's text masked" \
	grep -qF -- "+ \$s = ConvertTo-SecureString $MASK -AsPlainText -Force -Bogus" "$T/out/sec.err"
check "-c ConvertTo-SecureString: the caret is under -Bogus" caret_on "$T/out/sec.err" "-Bogus"

run_c cred2 "New-Object PSCredential 'a',(ConvertTo-SecureString '$PW' -AsPlainText -Force) | No-SuchCommand"
check "-c a nested ConvertTo-SecureString is masked" \
	grep -qF -- "(ConvertTo-SecureString $MASK -AsPlainText -Force) | No-SuchCommand" "$T/out/cred2.err"
check "-c nested: the caret is under the unknown command" caret_on "$T/out/cred2.err" "No-SuchCommand"

run_c we "\$s = ConvertTo-SecureString $PW -AsPlainText -Force; Write-Error 'it failed'"
check "-c a Write-Error echo masks the line" grep -qF -- "ConvertTo-SecureString $MASK -AsPlainText" "$T/out/we.err"

run_c parse "New-MigrationEndpoint -IMAP -Name E1 -Password \"$PW"
check "-c a parse error's line is masked" grep -qF -- "-Password $MASK" "$T/out/parse.err"

run_c verbose "New-MigrationEndpoint -IMAP -Name E1 -RemoteServer 127.0.0.1 -Password $PW -Port x -Verbose -Debug"
run_c errvar "New-MigrationEndpoint -IMAP -Name E1 -Password $PW -Bogus 2>\$null; \$Error[0].InvocationInfo.Line; \$Error[0] | Format-List *; try { New-MigrationEndpoint -IMAP -Name E1 -Password $PW -Bogus } catch { \$_.InvocationInfo.Line; \$_.InvocationInfo.PositionMessage; \$_ | Format-List * }"
check "-c \$Error[0] and \$_ show the error" grep -qF "NamedParameterNotFound" "$T/out/errvar.out"

# $_.InvocationInfo.Line and .PositionMessage are the echoed line: masked
run_c invinfo "try { New-MigrationEndpoint -IMAP -Name E1 -Credentials admin,$PW -Bogus 1 } catch { 'L=' + \$_.InvocationInfo.Line; 'P=' + \$_.InvocationInfo.PositionMessage }; New-MigrationEndpoint -IMAP -Name E2 -Credentials admin,$PW -Bogus 2 2>\$null; 'E=' + \$Error[0].InvocationInfo.Line"
check "\$_.InvocationInfo.Line has the line with the password masked" \
	grep -qF -- "L=try { New-MigrationEndpoint -IMAP -Name E1 -Credentials admin,$MASK -Bogus 1 } catch" "$T/out/invinfo.out"
check "\$_.InvocationInfo.PositionMessage has the line with the password masked" \
	grep -qF -- "+ try { New-MigrationEndpoint -IMAP -Name E1 -Credentials admin,$MASK -Bogus 1 } catch" "$T/out/invinfo.out"
check "\$_.InvocationInfo.PositionMessage: the caret is under -Bogus" caret_on "$T/out/invinfo.out" "-Bogus 1 }"
check "\$Error[0].InvocationInfo.Line is masked" \
	grep -qF -- "-Name E2 -Credentials admin,$MASK -Bogus 2" "$T/out/invinfo.out"
if grep -qF -- "$PW" "$T/out/invinfo.out"; then
	bad "InvocationInfo never has the password"
else
	ok "InvocationInfo never has the password"
fi

# 2. migsh -File: a failing line of a script, on a continuation line too
cat >"$T/script.ps1" <<EOF
'script-start'
New-MigrationEndpoint -IMAP -Name E1 \`
  -Password $PW -Port abc \`
  -RemoteServer x
\$c = New-Object PSCredential 'u', (ConvertTo-SecureString -String '$PW' -AsPlainText -Force); No-SuchCommand
EOF
"$MIGSH" -File "$T/script.ps1" >"$T/out/file.out" 2>"$T/out/file.err"
check "-File: a continuation line with -Password is masked" grep -qF -- "+   -Password $MASK -Port abc \`" "$T/out/file.err"
check "-File: its caret is under abc" caret_on "$T/out/file.err" "abc"
check "-File: the position names the script line" grep -qF "script.ps1:3 char:" "$T/out/file.err"
check "-File: -String of ConvertTo-SecureString is masked" grep -qF -- "-String $MASK -AsPlainText" "$T/out/file.err"

# a script's transcript: its output and errors, masked (PowerShell 7 records
# no statements of a script, only what is typed at a prompt)
cat >"$T/script2.ps1" <<EOF
Start-Transcript -Path '$T/script-transcript.txt' | Out-Null
'script-output'
New-MigrationEndpoint -IMAP -Name E1 -Password '$PW' -Bogus
Stop-Transcript | Out-Null
EOF
"$MIGSH" -File "$T/script2.ps1" >"$T/out/file2.out" 2>"$T/out/file2.err"
check "-File transcript: the output is recorded" grep -qx "script-output" "$T/script-transcript.txt"
check "-File transcript: the error's line is masked" \
	grep -qxF "+ New-MigrationEndpoint -IMAP -Name E1 -Password $MASK -Bogus" "$T/script-transcript.txt"

# 3. the REPL on a terminal (tmux): errors, Get-History, the history file, a transcript
if command -v tmux >/dev/null 2>&1; then
	tmux -L "$SOCK" -f /dev/null new-session -d -s repl -x 250 -y 50 \
		"env MIGSH_HOME='$MIGSH_HOME' NO_COLOR=1 TERM=xterm '$MIGSH'"
	screen() { tmux -L "$SOCK" capture-pane -p -t repl -S -500; }
	wait_for() {
		i=0
		while [ $i -lt 100 ]; do
			screen | grep -qF -- "$1" && return 0
			sleep 0.1
			i=$((i + 1))
		done
		echo "# timed out waiting for '$1'"
		return 1
	}
	line() { # text to type, text to wait for
		tmux -L "$SOCK" send-keys -t repl -l "$1"
		tmux -L "$SOCK" send-keys -t repl Enter
		wait_for "$2" || :
	}
	wait_for "PS migsh>" || :
	line "Start-Transcript -Path '$T/transcript.txt'" "Transcript started"
	line "'marker-' + 41" "marker-41"
	line "New-MigrationEndpoint -IMAP -Name E1 -Password $PW -Bogus" "NamedParameterNotFound"
	line "New-MigrationEndpoint -IMAP -Name E1 -Credentials admin,$PW -Bogus 2>\$null; 'cred-done'" "cred-done"
	line "\$ss = ConvertTo-SecureString '$PW' -AsPlainText -Force; 'ss-done'" "ss-done"
	line "'after-' + 'plain'" "after-plain"
	line "Get-History | ForEach-Object CommandLine | Out-File '$T/history-list.txt'; 'hist-done'" "hist-done"
	line "Stop-Transcript" "Transcript stopped"
	tmux -L "$SOCK" send-keys -t repl -l "exit"
	tmux -L "$SOCK" send-keys -t repl Enter
	i=0
	while [ $i -lt 100 ] && tmux -L "$SOCK" has-session -t repl 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	H="$MIGSH_HOME/history"
	check "REPL: the history file exists" test -s "$H"
	check "REPL: the history file is mode 0600" test "$(stat -c %a "$H")" = 600
	check "REPL: the history file keeps the plain lines" grep -qxF "'after-' + 'plain'" "$H"
	if grep -qF -- "-Password" "$H" || grep -qF "ConvertTo-SecureString" "$H" || grep -qF -- "-Credentials" "$H"; then
		bad "REPL: lines with a secret are not in the history file"
	else
		ok "REPL: lines with a secret are not in the history file"
	fi
	check "REPL: Get-History keeps the line, masked" \
		grep -qxF "New-MigrationEndpoint -IMAP -Name E1 -Password $MASK -Bogus" "$T/history-list.txt"
	TR="$T/transcript.txt"
	check "REPL: the transcript has PowerShell's header" grep -qx "PowerShell transcript start" "$TR"
	check "REPL: the transcript records a typed command after the prompt" grep -qxF "PS migsh> 'marker-' + 41" "$TR"
	check "REPL: ... followed by its output" sh -c "grep -A1 -xF \"PS migsh> 'marker-' + 41\" '$TR' | grep -qx marker-41"
	check "REPL: the transcript records a command with a secret, masked" \
		grep -qxF "PS migsh> New-MigrationEndpoint -IMAP -Name E1 -Password $MASK -Bogus" "$TR"
	check "REPL: the transcript has the error with the masked line" \
		grep -qxF "+ New-MigrationEndpoint -IMAP -Name E1 -Password $MASK -Bogus" "$TR"
	check "REPL: the transcript records Stop-Transcript" grep -qxF "PS migsh> Stop-Transcript" "$TR"
	check "REPL: the transcript has PowerShell's footer" grep -qx "PowerShell transcript end" "$TR"
else
	echo "# SKIP the REPL part: tmux is not installed (apt-get install tmux)"
fi

# 4. the password is nowhere: no output, no error, no file of the data
# directory, no transcript (the script file itself holds it, as typed)
found=$(grep -rlF -- "$PW" "$T/out" "$MIGSH_HOME" "$T"/*.txt 2>/dev/null)
if [ -z "$found" ]; then
	ok "the password appears in no output and no file"
else
	bad "the password appears in: $found"
	for f in $found; do grep -nF -- "$PW" "$f" | sed "s|^|# $f: |"; done
fi

echo "1..$n"
[ "$fails" -eq 0 ]
