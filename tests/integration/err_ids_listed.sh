#!/bin/sh
# err_ids_listed.sh - every error id that common/, net/ and engine/ produce
# has a verdict: a rule in common/err_class.c (retried or not, and its
# class), or a line in tests/unit/test_err_class.c saying it is never
# retried.  A new id without either fails here, so no id falls silently to
# a default.
set -eu
cd "${top_srcdir:-.}"
missing=0
ids=$(grep -rhoE 'mg_err_(set|sys)\([^,]+, *MGC_[A-Z]+, *"[A-Za-z]+"' common net engine |
	sed -E 's/.*"([A-Za-z]+)"$/\1/' | sort -u)
n=0
for id in $ids; do
	n=$((n + 1))
	if ! grep -q "\"$id\"" common/err_class.c && ! grep -q "\"$id\"" tests/unit/test_err_class.c; then
		echo "err_ids_listed.sh: error id '$id' has no rule in common/err_class.c and no line in tests/unit/test_err_class.c" >&2
		missing=$((missing + 1))
	fi
done
[ "$n" -gt 100 ] || { echo "err_ids_listed.sh: FAIL: only $n ids found: the pattern no longer matches the code" >&2; exit 1; }
[ "$missing" -eq 0 ] || { echo "err_ids_listed.sh: FAIL: $missing of $n ids without a verdict" >&2; exit 1; }
echo "err_ids_listed.sh: all $n error ids of common/, net/ and engine/ have a verdict"
