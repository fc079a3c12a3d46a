#!/bin/sh
# run_fuzz_eval.sh - build the evaluator fuzz target with clang and run it for
# a bounded time (default 30 s) from a seed corpus of expressions and
# statements.  The target confines itself (utility cmdlets only, file reads
# under its temporary directory, 2 s per input, small size limits): see the
# top of fuzz/fuzz_eval.c.
# Usage: fuzz/run_fuzz_eval.sh [seconds]   (exit 0 = no crash)
set -eu
secs=${1:-30}
src=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP: clang is not installed (apt-get install clang)"
	exit 77
fi
build=${FUZZ_BUILD_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/migsh-fuzz.XXXXXX")}
corpus="$build/corpus-eval"
mkdir -p "$corpus"
cd "$build"
if [ ! -f Makefile ]; then
	"$src/configure" --enable-fuzzing --disable-unit-tests CC=clang >configure.log 2>&1 ||
		{ cat configure.log; exit 1; }
fi
make fuzz/fuzz_eval >make-eval.log 2>&1 || { tail -50 make-eval.log; exit 1; }
i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s' "$line" >"$corpus/seed$i"
done <<'SEEDS'
1 + 2 * 3 - 4 / 2 % 3; -5; !$true; -not 0; 7 -band 3 -bor 8
'{0,5}|{1,-4}|{2:N2}' -f 'a','b',3.14159; 'ab' * 3; @(1,2) * 2; (1..5) -join ','
$a = @(1,2,3); $a[0] = $a; "$a"; $a.Count; $a[-1]; $a[0..1]; $a -contains 2; 2 -in $a
$h = @{ a = 1; 'b' = @{ c = 'x' } }; $h.b.c; $h['a']; $h.Keys; $h | ConvertTo-Json -Depth 3
'Hello World' -replace 'o','0' -split ' '; 'abc'.ToUpper().Substring(1); 'a,b' -match '(\w),(\w)'; $Matches[1]
function f($n) { if ($n -le 1) { return 1 }; $n * (f ($n - 1)) }; f 10
foreach ($i in 1..3) { switch ($i) { 1 { 'one' } { $_ -gt 1 } { 'more' } default { 'x' } } }
$s = 0; for ($i = 0; $i -lt 10; $i++) { if ($i -eq 5) { continue }; $s += $i }; while ($s -gt 0) { $s -= 7 }; do { $s++ } until ($s -ge 3)
try { throw 'boom' } catch { "caught $_" } finally { 'done' }; $Error.Count; $?
1..5 | Where-Object { $_ % 2 } | ForEach-Object { $_ * 10 } | Sort-Object -Descending | Select-Object -First 2
[pscustomobject]@{ Name = 'a'; Size = 1 }, [pscustomobject]@{ Name = 'b'; Size = 2 } | Format-Table; Get-Date -Format yyyy
[int]'42' + [double]'1.5'; [string]5; [datetime]'2025-03-14' ; [math]::Round(2.567, 1); [IO.File]::ReadAllText('in.txt')
"n=$($n = 3; $n * 2) `$x `t" ; @" 
here $n
"@ ; $x = $null; $x.Foo; "$($x.a.b)"
1, 'two', 3.0, $null, @(), @{} | ConvertTo-Csv | ConvertFrom-Csv | Measure-Object
Write-Error 'x' 2>&1 | ForEach-Object { $_.Exception.Message }; 'a' > $null; Write-Host h 6>$null *>$null
try { 1/0 } catch [IO.IOException] { 'io' } catch { 'c' } finally { 'f' }; $a, $b = 1, 2, 3; & { param($p = 2) $p * $b[0] } -p 4
'{0:N2}|{1,-6:X4}|{2:0.0%}|{3:yyyy-MM-dd}|{4:E3}' -f 1234.5678, 255, 0.256, (Get-Date), -0.5; (12.5).ToString('#,##0.00'); 'x'.PadLeft(9, '*')
SEEDS
# Leak detection is off: values are reference-counted, and a script may make
# an array or hashtable hold itself ($a[0] = $a, as in PowerShell), which
# leaks until the session ends.  Crashes, overflows, hangs and runaway memory
# are what this target looks for.
ASAN_OPTIONS=detect_leaks=0 ./fuzz/fuzz_eval -max_total_time="$secs" -max_len=2048 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 "$corpus" 2>fuzz-eval.log || { tail -60 fuzz-eval.log; exit 1; }
tail -5 fuzz-eval.log
echo "fuzz_eval: no crash in ${secs}s"
