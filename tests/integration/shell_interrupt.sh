#!/bin/bash
# shell_interrupt.sh - Ctrl-C (SIGINT) cancels a running script: the
# blocking step (Start-Sleep, a busy loop, a function in a pipeline) stops,
# nothing after it runs, finally blocks still run (about_Try_Catch_Finally),
# and migsh ends by SIGINT (exit status 130) like any interrupted program.
# Job control (set -m) keeps SIGINT deliverable to the background migsh.
set -u -m
: "${MIGSH:?MIGSH must point at the built migsh}"
T=$(mktemp -d "${TMPDIR:-/tmp}/migsh-int.XXXXXX")
trap 'rm -rf "$T"' EXIT
export MIGSH_HOME="$T/home"
fails=0
n=0

# interrupt NAME SCRIPT EXPECTED-STDOUT: run SCRIPT, send SIGINT after half a
# second; it must end by SIGINT within 10 s (the script alone would run for
# 30 s or for ever) and print exactly EXPECTED-STDOUT
interrupt() {
	n=$((n + 1))
	"$MIGSH" -c "$2" >"$T/out" 2>"$T/err" &
	local pid=$!
	sleep 0.5
	kill -INT "$pid" 2>/dev/null
	local waited=0
	while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 100 ]; do
		sleep 0.1
		waited=$((waited + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		{ wait "$pid"; } 2>/dev/null
		echo "not ok $n - $1: still running 10 s after Ctrl-C"
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

echo "1..$n"
[ "$fails" -eq 0 ]
