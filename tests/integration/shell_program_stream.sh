#!/bin/bash
# shell_program_stream.sh - a program in a pipeline streams both ways, as in
# PowerShell 7: it starts when the pipeline begins, each piped object reaches
# its standard input when the object is produced (not after the last one),
# and its output lines reach the console while the pipeline still runs.  A
# program that stops reading early (head -1) ends the pipeline normally.
# Input written in big pieces is still never held back: a burst of objects
# followed by a long pause reaches the program during the pause.  Large
# input reaches the program intact (every line, in order), also when the
# program does not read for a while or writes a lot before it reads.
# Timestamps are compared with wide margins (a second); nothing asserts speed.
set -u
: "${MIGSH:?MIGSH must point at the built migsh}"
T=$(mktemp -d "${TMPDIR:-/tmp}/migsh-stream.XXXXXX")
trap 'rm -rf "$T"' EXIT
export MIGSH_HOME="$T/home"
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
ms() { echo $(($(date +%s%N) / 1000000)); }

# 1. output streams: four objects a second apart through cat; the first line
# must be on migsh's standard output at least a second before the last one
# (collected at the end, all four would arrive together)
start=$(ms)
timeout 60 "$MIGSH" -c '1..4 | ForEach-Object { $_; Start-Sleep -Milliseconds 1000 } | cat' 2>"$T/err" |
	while IFS= read -r line; do echo "$(($(ms) - start)) $line"; done >"$T/times"
got=$(cut -d' ' -f2 "$T/times" | tr '\n' ' ')
first=$(head -n 1 "$T/times" | cut -d' ' -f1)
last=$(tail -n 1 "$T/times" | cut -d' ' -f1)
if [ "$got" != "1 2 3 4 " ]; then
	bad "streaming through cat: wrong output '$got'"; sed 's/^/# /' "$T/err"
elif [ $((last - first)) -lt 1000 ]; then
	bad "streaming through cat: the first line came only $((last - first)) ms before the last (ms since start: $(cut -d' ' -f1 "$T/times" | tr '\n' ' '))"
else
	ok "streaming through cat: the first line came $((last - first)) ms before the last"
fi

# 2. input streams: the program records each line it reads in a file; the
# script looks at that file a second after each object went down the pipe
cat >"$T/seen.ps1" <<'PS'
1..3 | ForEach-Object {
	Start-Sleep -Milliseconds 1000
	Write-Host "seen $(@(Get-Content seen.txt -ErrorAction SilentlyContinue).Count)"
	$_ } | sh -c 'while read l; do echo "$l" >> seen.txt; done'
PS
(cd "$T" && timeout 60 "$MIGSH" -File seen.ps1 >"$T/out" 2>"$T/err")
if [ "$(tr '\n' ' ' <"$T/out")" = "seen 0 seen 1 seen 2 " ] && [ "$(tr '\n' ' ' <"$T/seen.txt")" = "1 2 3 " ]; then
	ok "each object reaches the program's input as it is produced"
else
	bad "each object reaches the program's input as it is produced"
	sed 's/^/# got: /' "$T/out"; sed 's/^/# stderr: /' "$T/err"
fi

# 3. a program that stops reading: migsh neither dies of SIGPIPE nor hangs
out=$(timeout 60 "$MIGSH" -c '1..100000 | head -1; "after: $LASTEXITCODE"' 2>"$T/err")
rc=$?
if [ "$rc" -eq 0 ] && [ "$out" = "1
after: 0" ]; then
	ok "1..100000 | head -1 prints 1 and the script goes on"
else
	bad "1..100000 | head -1: status $rc, output '$out'"; sed 's/^/# stderr: /' "$T/err"
fi

# 4. a burst, then a long pause: the 20,000 lines of the burst (more than
# one 64 KiB piece) are all in the program's hands during the pause, not
# only when more input comes or the input ends
cat >"$T/pause.ps1" <<'PS'
1..20001 | ForEach-Object {
	if ($_ -eq 20001) {
		Start-Sleep -Milliseconds 2000
		Write-Host "seen $(@(Get-Content pause.txt -ErrorAction SilentlyContinue).Count)"
	}
	$_ } | sh -c 'cat > pause.txt'
PS
(cd "$T" && timeout 60 "$MIGSH" -File pause.ps1 >"$T/out" 2>"$T/err")
if [ "$(cat "$T/out")" = "seen 20000" ] && [ "$(wc -l <"$T/pause.txt")" -eq 20001 ]; then
	ok "a burst followed by a pause reaches the program during the pause"
else
	bad "a burst followed by a pause reaches the program during the pause"
	sed 's/^/# got: /' "$T/out"; sed 's/^/# stderr: /' "$T/err"
fi

# 5-7. large input arrives whole and in order: through two programs in a
# row, to a program that reads nothing for a while (the shell waits with a
# bounded amount held), and to one that writes 300,000 lines before it
# reads (the shell must read them meanwhile, or both would wait for ever)
seq 1 200000 >"$T/200k.txt"
big() { # NAME COMMAND EXPECTED
	local got
	got=$(timeout 120 "$MIGSH" -c "$2" 2>"$T/err")
	if [ "$got" = "$3" ]; then
		ok "$1"
	else
		bad "$1: got '$(printf %s "$got" | tail -c 200)', expected '$3'"; sed 's/^/# stderr: /' "$T/err"
	fi
}
big "200,000 lines through two programs arrive intact" \
	"Get-Content '$T/200k.txt' | cat | cksum" "$(cksum <"$T/200k.txt")"
big "200,000 lines to a program that reads nothing for a second arrive intact" \
	"Get-Content '$T/200k.txt' | sh -c 'sleep 1; cksum'" "$(cksum <"$T/200k.txt")"
big "200,000 lines to a program that writes 300,000 lines before reading" \
	"Get-Content '$T/200k.txt' | sh -c 'seq 1 300000; wc -l' | Select-Object -Last 1" "200000"

echo "1..$n"
[ "$fails" -eq 0 ]
