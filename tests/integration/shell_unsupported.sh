#!/bin/sh
# shell_unsupported.sh - every PowerShell construct migsh does not support
# (listed in migsh-language(7), NOT SUPPORTED) is refused with an error that
# names it, before anything runs: never "not recognized as the name of a
# cmdlet", never a silent no-op.
set -u
: "${MIGSH:?MIGSH must point at the built migsh}"
T=$(mktemp -d "${TMPDIR:-/tmp}/migsh-unsup.XXXXXX")
trap 'rm -rf "$T"' EXIT
export MIGSH_HOME="$T/home"
fails=0
n=0

# refused SCRIPT TEXT: migsh -c SCRIPT prints nothing on stdout, fails with
# a parse error (exit status 2) and its error names the construct (TEXT)
refused() {
	n=$((n + 1))
	"$MIGSH" -c "$1; 'ran'" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne 2 ] || [ -s "$T/out" ] || ! grep -qF -- "$2" "$T/err"; then
		echo "not ok $n - $1: exit $rc, expected 2 and an error saying '$2'"
		sed 's/^/# out: /' "$T/out"
		sed 's/^/# err: /' "$T/err"
		fails=$((fails + 1))
	else
		echo "ok $n - $1"
	fi
}

refused 'class Mailbox { [string]$Name }' 'classes (class Name { ... }) are not supported'
refused 'enum Color { Red; Green }' 'enum definitions are not supported'
refused 'using namespace System.Text' 'using statements'
refused 'trap { "oops" }' 'trap statements are not supported'
refused 'data { "x" }' 'data sections are not supported'
refused 'workflow W { "x" }' 'Workflow is not supported'
refused 'configuration C { }' 'DSC configurations are not supported'
refused 'function f { dynamicparam { } end { } }' 'dynamicparam blocks are not supported'
refused '$x = $null; $x ?? 5' 'null-coalescing operator ??'
refused '$x = $null; $x ??= 5' 'null-coalescing assignment operator ??='
refused '$s = $null; $s?.Length' 'null-conditional operator ?.'
refused '$ok = $true; $ok ? 1 : 2' 'ternary operator ? :'
refused 'Get-Date && "ok"' 'pipeline chain operator &&'
refused 'Get-Date || "failed"' 'pipeline chain operator ||'
refused 'Start-Sleep 1 &' 'background operator &'
refused '$i = 1; ++$i' 'prefix operator ++'
refused '5 -bxor 3' 'operator -bxor'
refused '1 -shl 2' 'operator -shl'
refused 'Get-Content < users.txt' "The '<' operator is reserved for future use."
refused 'switch -File users.txt { default { $_ } }' 'switch -File is not supported'

# an attribute migsh does not know is an error naming it when the function runs
n=$((n + 1))
"$MIGSH" -c 'function f { param([ValidateTrustedData()]$x) $x }; f 1' >"$T/out" 2>"$T/err"
if grep -qF 'attribute [ValidateTrustedData()]' "$T/err" && ! [ -s "$T/out" ]; then
	echo "ok $n - an unknown parameter attribute is named"
else
	echo "not ok $n - an unknown parameter attribute is named"
	sed 's/^/# err: /' "$T/err"
	fails=$((fails + 1))
fi

echo "1..$n"
[ "$fails" -eq 0 ]
