#!/bin/bash
# shell_interrupt.sh - Ctrl-C (SIGINT) cancels a running script: the
# blocking step (Start-Sleep, a busy loop, a function in a pipeline, a
# program: it is killed, as PowerShell stops a native command) stops,
# nothing after it runs, finally blocks still run (about_Try_Catch_Finally),
# and migsh ends by SIGINT (exit status 130) like any interrupted program.
# A cmdlet waiting on the network (a server that accepts the connection and
# never answers: before its greeting, in the TLS handshake; a DNS server that
# never answers the name lookup) stops too, at once rather than at its timeout.
# Job control (set -m) keeps SIGINT deliverable to the background migsh.
set -u -m
: "${MIGSH:?MIGSH must point at the built migsh}"
T=$(mktemp -d "${TMPDIR:-/tmp}/migsh-int.XXXXXX")
SIL_PID=
HANG_DIR=$T/dns
. "${top_srcdir:-.}/tests/lib/hang_dns.sh"
trap '[ -n "$SIL_PID" ] && kill "$SIL_PID" 2>/dev/null; mg_hang_dns_stop; rm -rf "$T"' EXIT
export MIGSH_HOME="$T/home"
fails=0
n=0

# interrupt NAME SCRIPT EXPECTED-STDOUT [DELAY [LIMIT]]: run SCRIPT, send
# SIGINT after DELAY seconds (0.5); it must end by SIGINT within LIMIT
# seconds (10; the script alone would run for 30 s or for ever) and print
# exactly EXPECTED-STDOUT.  With WRAP set (a command line that ends by
# exec'ing its arguments, so that the pid is migsh's), migsh runs under it;
# with WAIT_FILE set, the DELAY counts from when that file appears (at most
# 10 s, else the case fails: what it interrupts never started).
WRAP=
WAIT_FILE=
interrupt() {
	n=$((n + 1))
	local delay=${4:-0.5} limit=${5:-10}
	$WRAP "$MIGSH" -c "$2" >"$T/out" 2>"$T/err" &
	local pid=$!
	if [ -n "$WAIT_FILE" ]; then
		local w=0
		while [ ! -e "$WAIT_FILE" ] && [ "$w" -lt 200 ] && kill -0 "$pid" 2>/dev/null; do
			sleep 0.05
			w=$((w + 1))
		done
		if [ ! -e "$WAIT_FILE" ]; then
			kill -KILL "$pid" 2>/dev/null
			{ wait "$pid"; } 2>/dev/null
			echo "not ok $n - $1: $WAIT_FILE never appeared"
			sed 's/^/# stderr: /' "$T/err"
			fails=$((fails + 1))
			return
		fi
	fi
	sleep "$delay"
	kill -INT "$pid" 2>/dev/null
	local waited=0
	while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((limit * 10)) ]; do
		sleep 0.1
		waited=$((waited + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		{ wait "$pid"; } 2>/dev/null
		echo "not ok $n - $1: still running $limit s after Ctrl-C"
		fails=$((fails + 1))
		return
	fi
	{ wait "$pid"; } 2>/dev/null   # (bash's "Interrupt" job notice)
	local rc=$?
	printf '%s' "$3" >"$T/want"
	if [ "$rc" -ne 130 ]; then
		echo "not ok $n - $1: exit status $rc, expected 130 (SIGINT)"
		fails=$((fails + 1))
	elif ! cmp -s "$T/out" "$T/want"; then
		echo "not ok $n - $1: unexpected output"
		sed 's/^/# got: /' "$T/out"
		sed 's/^/# stderr: /' "$T/err"
		fails=$((fails + 1))
	else
		echo "ok $n - $1"
	fi
}

interrupt "Start-Sleep stops; nothing after it runs" 'Start-Sleep 30; "after"' ''
interrupt "a busy while loop stops" 'while ($true) { $x++ }; "after"' ''
interrupt "a sleeping while loop stops" 'while ($true) { Start-Sleep -Milliseconds 200 }; "after"' ''
interrupt "finally blocks run after Ctrl-C" 'try { Start-Sleep 30 } finally { "cleanup" }; "after"' 'cleanup
'
interrupt "a function's process block in a pipeline stops" \
	'function f { process { Start-Sleep 30; $_ } }; 1, 2 | f; "after"' ''
interrupt "a program stage that does not read its input stops" '1..3 | sleep 30; "after"' ''
interrupt "a program stage with a full input pipe stops" '1..200000 | sleep 30; "after"' ''
seq 1 200000 >"$T/200k.txt"
interrupt "a program stage fed by a streaming producer, its input full, stops" \
	"Get-Content '$T/200k.txt' | sleep 30; \"after\"" ''
interrupt "a program alone stops" 'sleep 30; "after"' ''

# A server that accepts and never answers (tests/lib/silent_listener.c).
# The timeouts are long (the probe's defaults: 10 s to connect, 15 s per
# wait), so only Ctrl-C can end these within the 3 s allowed.
SIL_TOOL=${top_builddir:-.}/tests/lib/mg-silent-listener
if [ -x "$SIL_TOOL" ]; then
	"$SIL_TOOL" 120 "$T/silport" >/dev/null &
	SIL_PID=$!
	disown "$SIL_PID"   # (no job notice when the trap ends it)
	i=0
	while [ ! -s "$T/silport" ] && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	SIL=$(cat "$T/silport")
	TS="Test-MigrationServerAvailability -IMAP -RemoteServer 127.0.0.1 -Port $SIL"
	interrupt "Test-MigrationServerAvailability waiting for a greeting stops" \
		"$TS -Security None; 'after'" '' 1 3
	interrupt "Test-MigrationServerAvailability in a TLS handshake stops" \
		"$TS -Security Ssl; 'after'" '' 1 3
	interrupt "New-MigrationEndpoint's connection test stops" \
		"New-MigrationEndpoint -IMAP -Name Silent -RemoteServer 127.0.0.1 -Port $SIL -Security None; 'after'" '' 1 3
	interrupt "a finally block runs after a stopped connection test" \
		"try { $TS -Security None } finally { 'cleanup' }; 'after'" 'cleanup
' 1 3
else
	echo "# SKIP the network cases: $SIL_TOOL is not built (make check builds it)"
fi

# A DNS server that never answers (tests/lib/hang_dns.sh: a namespace of its
# own, no network needed): the name lookup waits on it (glibc would give up
# after 30 s, the probe after its 10 s connect timeout).  Ctrl-C one second
# after migsh sent its query must end it within 3 s.
if mg_hang_dns_init "$HANG_DIR"; then
	WRAP=$HANG_CMD
	WAIT_FILE=$HANG_DIR/dns.query
	interrupt "Test-MigrationServerAvailability looking up a name stops" \
		"Test-MigrationServerAvailability -IMAP -RemoteServer imap.hang.test -Port 993 -Security None; 'after'" '' 1 3
	mg_hang_dns_stop
	interrupt "New-MigrationEndpoint looking up a name stops; a finally block runs" \
		"try { New-MigrationEndpoint -IMAP -Name Hang -RemoteServer imap.hang.test -Port 143 -Security None } finally { 'cleanup' }; 'after'" 'cleanup
' 1 3
	mg_hang_dns_stop
	WRAP=
	WAIT_FILE=
else
	echo "# SKIP the name lookup cases: $HANG_WHY"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
