#!/bin/sh
# shell_repl.sh - drives the interactive migsh REPL in tmux (send-keys /
# capture-pane): the prompt, tab completion of a cmdlet, a parameter, a
# -Security value, endpoint names and user addresses (3,000 of them), Tab
# and Shift-Tab cycling through the candidates as PowerShell does, a
# multi-line command with the ">>" prompt, history recall with the Up arrow,
# a Remove-* confirmation answered N then Y, and Ctrl-C (typing, a running
# command, a network wait).
set -u
: "${MIGSH:?MIGSH must point at the built migsh}"
if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed (apt-get install tmux)"
	exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/migsh-repl.XXXXXX")
SOCK="migsh-repl-$$"
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
export MIGSH_HOME="$T/home"
mkdir -p "$MIGSH_HOME"
fails=0
n=0

# an endpoint to remove later (no server contact with -SkipVerification)
"$MIGSH" -c '$null = New-MigrationEndpoint -IMAP -Name ReplEp -RemoteServer imap.example.invalid -SkipVerification' \
	>"$T/setup.out" 2>&1 || { echo "Bail out! could not create the test endpoint"; cat "$T/setup.out"; exit 1; }

# users for -Identity completion: 3,000 alike and one apart (the store answers
# by prefix with a limit: a truncated answer must not extend what was typed)
awk 'BEGIN { print "EmailAddress,UserName,Password"; print "anne@contoso.edu,anne,pw"
	for (i = 1; i <= 3000; i++) printf "u%05d@contoso.edu,u%05d,pw\n", i, i }' >"$T/users.csv"
"$MIGSH" -c "\$null = New-MigrationEndpoint -IMAP -Name CompSrc -RemoteServer imap.example.invalid -SkipVerification; \$null = New-MigrationBatch -Name CompB -SourceEndpoint CompSrc -CSVFile '$T/users.csv'" \
	>"$T/setup2.out" 2>&1 || { echo "Bail out! could not create the test batch"; cat "$T/setup2.out"; exit 1; }

tmux -L "$SOCK" -f /dev/null new-session -d -s repl -x 160 -y 50 \
	"env MIGSH_HOME='$MIGSH_HOME' NO_COLOR=1 TERM=xterm '$MIGSH'"

screen() { tmux -L "$SOCK" capture-pane -p -t repl -S -200; }
keys() { tmux -L "$SOCK" send-keys -t repl "$@"; }
# wait until the screen contains text (fixed string), up to 10 s
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		if screen | grep -qF -- "$1"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# the last non-empty line of the screen
last_line() { screen | grep -v '^ *$' | tail -n 1; }
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
	screen | sed 's/^/# /'
}
expect() { # description text
	if wait_for "$2"; then ok "$1"; else bad "$1 (waiting for '$2')"; fi
}
expect_last() { # description exact-last-line
	i=0
	while [ $i -lt 50 ]; do
		[ "$(last_line)" = "$2" ] && { ok "$1"; return; }
		sleep 0.1
		i=$((i + 1))
	done
	bad "$1 (last line '$(last_line)', expected '$2')"
}

expect "prompt shown" "PS migsh>"

# 1. cmdlet name completion
keys "Get-MigrationEndp" Tab
expect_last "Tab completes a cmdlet name" "PS migsh> Get-MigrationEndpoint"
keys C-u
# 2. parameter name completion
keys "New-MigrationEndpoint -RemoteS" Tab
expect_last "Tab completes a parameter name" "PS migsh> New-MigrationEndpoint -RemoteServer"
keys C-u
# 3. enum values: a unique prefix completes, Tab cycles, Ctrl-Space lists all
keys "New-MigrationEndpoint -Security t" Tab
expect_last "Tab completes a -Security value" "PS migsh> New-MigrationEndpoint -Security Tls"
keys C-u
keys "New-MigrationEndpoint -Security " Tab
expect_last "the first Tab puts in the first value" "PS migsh> New-MigrationEndpoint -Security None"
keys Tab
expect_last "the next Tab the next value" "PS migsh> New-MigrationEndpoint -Security Ssl"
keys C-u
keys "New-MigrationEndpoint -Security "
keys -H 00   # Ctrl-Space: terminals send a NUL byte
if wait_for "None" && screen | grep -q "None *Ssl *Tls"; then ok "Ctrl-Space lists None Ssl Tls"; else bad "Ctrl-Space lists None Ssl Tls"; fi
keys C-u
# 3b. issue 13: the first Tab on Sel gives Select-Object (not the common
# part of Select-Object and Select-String), the next Select-String, and
# Shift-Tab goes back, as in PowerShell on Windows
keys "Sel" Tab
expect_last "Sel Tab gives Select-Object" "PS migsh> Select-Object"
keys Tab
expect_last "a second Tab gives Select-String" "PS migsh> Select-String"
keys BTab
expect_last "Shift-Tab goes back to Select-Object" "PS migsh> Select-Object"
keys C-u
# 4. names of existing endpoints for -Identity
keys "Get-MigrationEndpoint -Identity Repl" Tab
expect_last "Tab completes an endpoint name" "PS migsh> Get-MigrationEndpoint -Identity ReplEp"
keys C-u
keys "Get-MigrationUser -Identity AN" Tab
expect_last "Tab completes a user address" "PS migsh> Get-MigrationUser -Identity anne@contoso.edu"
keys C-u
keys "Get-MigrationUser -Identity u0" Tab
expect_last "Tab over 3,000 matching addresses gives the first" "PS migsh> Get-MigrationUser -Identity u00001@contoso.edu"
keys C-u
keys "Get-MigrationUser -Identity u0299" Tab Tab
expect_last "Tab Tab over ten addresses gives the second" "PS migsh> Get-MigrationUser -Identity u02991@contoso.edu"
keys C-u
keys "Get-MigrationUser -Identity u02999" Tab
expect_last "Tab completes one address of 3,000" "PS migsh> Get-MigrationUser -Identity u02999@contoso.edu"
keys C-u
"$MIGSH" -c 'Remove-MigrationBatch CompB -Confirm:$false; Remove-MigrationEndpoint CompSrc -Confirm:$false' \
	>"$T/teardown.out" 2>&1 || { cat "$T/teardown.out"; bad "removing the completion test batch"; }
tmux -L "$SOCK" clear-history -t repl

# 5. a multi-line command: the continuation prompt until the block closes
keys 'if ($true) {' Enter
expect_last "continuation prompt inside a block" ">>"
keys '"multi" + "line"' Enter
keys '}' Enter
expect "multi-line command runs" "multiline"

# 6. history: Up recalls the last command (the whole block)
keys '"history-" + 42' Enter
expect "command runs" "history-42"
keys Up
expect_last "Up recalls the previous command" 'PS migsh> "history-" + 42'
keys C-u

# 7. confirmation: N keeps the endpoint, Y removes it
keys 'Remove-MigrationEndpoint ReplEp' Enter
expect "confirmation prompt" "[Y] Yes  [A] Yes to All  [N] No  [L] No to All"
keys n Enter
keys '(Get-MigrationEndpoint ReplEp).Identity.ToString() + "-still-here"' Enter
expect "answer N keeps the endpoint" "ReplEp-still-here"
keys 'Remove-MigrationEndpoint ReplEp' Enter
sleep 0.3
keys y Enter
keys '@(Get-MigrationEndpoint).Count.ToString() + "-endpoints-left"' Enter
expect "answer Y removes the endpoint" "0-endpoints-left"

# 8. Ctrl-C abandons the typed line, and stops a running command
# (pauses: under load the interrupt must reach the shell after the typed text
# and before the next line, or it abandons that line instead)
keys "Get-Nothing-typed"
wait_for "Get-Nothing-typed" || :
keys C-c
sleep 1
keys '"after-" + "ctrl-c"' Enter
expect "Ctrl-C abandons the line being typed" "after-ctrl-c"
if screen | grep -qF "Get-Nothing-typed : The term"; then bad "the abandoned line did not run"; else ok "the abandoned line did not run"; fi
keys 'foreach ($i in 1..1000000) { foreach ($j in 1..20) { $x = $j } }; "loop-finished"' Enter
sleep 0.5
keys C-c
keys '"interrupted-" + $?' Enter
expect "Ctrl-C stops a running command" "interrupted-False"
if screen | grep -qx "loop-finished"; then bad "statements after the interrupted one do not run"; else ok "statements after the interrupted one do not run"; fi

# 8b. Ctrl-C during a network wait (a server that accepts and never answers;
# the probe would wait 15 s for its greeting): back at the prompt at once
SIL_TOOL=${top_builddir:-.}/tests/lib/mg-silent-listener
if [ -x "$SIL_TOOL" ]; then
	"$SIL_TOOL" 60 "$T/silport" >/dev/null &
	SIL_PID=$!
	i=0
	while [ ! -s "$T/silport" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	keys "Test-MigrationServerAvailability -IMAP -RemoteServer 127.0.0.1 -Port $(cat "$T/silport") -Security None" Enter
	sleep 1
	keys C-c
	keys '"net-stopped-" + $?' Enter
	i=0
	while [ $i -lt 30 ] && ! screen | grep -qx "net-stopped-False"; do sleep 0.1; i=$((i + 1)); done
	if screen | grep -qx "net-stopped-False"; then
		ok "Ctrl-C during a network wait returns to the prompt"
	else
		bad "Ctrl-C during a network wait returns to the prompt (within 3 s)"
	fi
	kill "$SIL_PID" 2>/dev/null
else
	n=$((n + 1)); echo "ok $n # SKIP $SIL_TOOL is not built (make check builds it)"
fi

# 9. exit ends the REPL with its status
keys 'exit 4' Enter
sleep 0.5
if tmux -L "$SOCK" has-session -t repl 2>/dev/null; then bad "exit ends the REPL"; else ok "exit ends the REPL"; fi
n=$((n + 1))
if [ -s "$MIGSH_HOME/history" ] && grep -qF 'history-' "$MIGSH_HOME/history"; then
	echo "ok $n - history saved in \$MIGSH_HOME/history"
else
	echo "not ok $n - history saved"; fails=$((fails + 1))
fi

# 10. Readline is opened when the REPL starts (migsh is not linked against
# it): a machine without it gets a message naming the library and the
# package, and exit status 127, not a crash.  An empty file stands in for
# the library, found first through LD_LIBRARY_PATH.
mkdir -p "$T/nolib"
: >"$T/nolib/libreadline.so.8"
tmux -L "$SOCK" -f /dev/null new-session -d -s norl -x 160 -y 20 \
	"env MIGSH_HOME='$MIGSH_HOME' LD_LIBRARY_PATH='$T/nolib' NO_COLOR=1 TERM=xterm '$MIGSH'; echo \"status=\$?\"; sleep 30"
i=0
while [ $i -lt 100 ] && ! tmux -L "$SOCK" capture-pane -p -t norl | grep -q "status="; do sleep 0.1; i=$((i + 1)); done
tmux -L "$SOCK" capture-pane -p -t norl -J >"$T/norl.txt"
n=$((n + 1))
if grep -q "needs GNU Readline (libreadline.so.8)" "$T/norl.txt" && grep -q "Install the libreadline8 package" "$T/norl.txt" &&
	grep -qx "status=127" "$T/norl.txt"; then
	echo "ok $n - without libreadline the REPL names the library and the package, exit 127"
else
	echo "not ok $n - without libreadline the REPL names the library and the package, exit 127"
	sed 's/^/# /' "$T/norl.txt"
	fails=$((fails + 1))
fi

echo "1..$n"
[ "$fails" -eq 0 ]
