#!/bin/sh
# run.sh - the PowerShell conformance suite: every tests/conformance/*.txt
# file holds cases of one language area, each an input script and the exact
# output PowerShell 7 prints for it.  Each case runs as a script file through
# migsh; its standard output must equal the expected text (trailing blank
# lines aside).  Prints TAP lines and "N passed, N failed".
#
# Case format (a file is read as data, never run as a script):
#   # comment lines before the first case
#   === name of the case
#   <input lines>
#   ---
#   <expected output lines>
# An expected output may be empty (the case must print nothing).
set -u
: "${MIGSH:?MIGSH must point at the built migsh}"
dir=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/migsh-conf.XXXXXX")
trap 'rm -rf "$T"' EXIT
export MIGSH_HOME="$T/home"
pass=0
fail=0
n=0
for f in "$dir"/*.txt; do
	area=$(basename "$f" .txt)
	rm -f "$T"/case.*
	# split into case.N.name, case.N.ps1 and case.N.want
	awk -v out="$T/case" '
		/^=== / { n++; name = substr($0, 5); print name > (out "." n ".name"); close(out "." n ".name");
		          part = "ps1"; printf "" > (out "." n ".ps1"); printf "" > (out "." n ".want"); next }
		n == 0 { next }
		part == "ps1" && $0 == "---" { part = "want"; next }
		{ print > (out "." n "." part) }
	' "$f"
	i=1
	while [ -f "$T/case.$i.name" ]; do
		n=$((n + 1))
		name="$area: $(cat "$T/case.$i.name")"
		(cd "$T" && timeout 60 "$MIGSH" -File "$T/case.$i.ps1" >"$T/got" 2>"$T/err")
		# trailing blank lines are not compared
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$T/got" >"$T/got.t"
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$T/case.$i.want" >"$T/want.t"
		if cmp -s "$T/got.t" "$T/want.t"; then
			echo "ok $n - $name"
			pass=$((pass + 1))
		else
			echo "not ok $n - $name"
			echo "# input:"; sed 's/^/#   /' "$T/case.$i.ps1"
			echo "# expected:"; sed 's/^/#   /' "$T/want.t"
			echo "# got:"; sed 's/^/#   /' "$T/got.t"
			[ -s "$T/err" ] && { echo "# stderr:"; sed 's/^/#   /' "$T/err" | head -20; }
			fail=$((fail + 1))
		fi
		i=$((i + 1))
	done
done
echo "1..$n"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$n" -gt 0 ]
