#!/bin/bash
# shell_program_stream.sh - a program in a pipeline streams both ways, as in
# PowerShell 7: it starts when the pipeline begins, each piped object reaches
# its standard input when the object is produced (not after the last one),
# and its output lines reach the console while the pipeline still runs.  A
# program that stops reading early (head -1) ends the pipeline normally.
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

echo "1..$n"
[ "$fails" -eq 0 ]
