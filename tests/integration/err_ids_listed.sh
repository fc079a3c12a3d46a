#!/bin/sh
# err_ids_listed.sh - every error id that common/, net/ and engine/ produce
# has a verdict: a line in the list of ids common/err_ids.h (retried or not,
# and its class; the code mg_err_set gives the error comes from it), or a
# line in tests/unit/test_err_class.c saying it is never retried.  A new id
# without either fails here, so no id falls silently to a default.  Also:
# no code in common/, net/, engine/, shell/ or cmdlets/ decides by comparing
# an error's category or id as text (they are compared as mg_err_cat and
# mg_err_code).
set -eu
cd "${top_srcdir:-.}"
missing=0
ids=$(grep -rhoE 'mg_err_(set|sys)\([^,]+, *MGC_[A-Z]+, *"[A-Za-z]+"' common net engine |
	sed -E 's/.*"([A-Za-z]+)"$/\1/' | sort -u)
n=0
for id in $ids; do
	n=$((n + 1))
	if ! grep -qE "X\\($id," common/err_ids.h && ! grep -q "\"$id\"" tests/unit/test_err_class.c; then
		echo "err_ids_listed.sh: error id '$id' has no line in common/err_ids.h and no line in tests/unit/test_err_class.c" >&2
		missing=$((missing + 1))
	fi
done
[ "$n" -gt 100 ] || { echo "err_ids_listed.sh: FAIL: only $n ids found: the pattern no longer matches the code" >&2; exit 1; }
[ "$missing" -eq 0 ] || { echo "err_ids_listed.sh: FAIL: $missing of $n ids without a verdict" >&2; exit 1; }
# a decision on the text of a category or an id (common/err.c holds the two
# name tables: the only place their text is looked up, when an error is raised;
# a script's `catch [SomeId]` matches the name its author wrote against the id,
# in shell/eval.c catch_matches: the script's text, not a decision of the code)
texty=$(grep -rnE 'str(n?case)?cmp|str_i?eq' common net engine shell cmdlets |
	grep -iE 'categ|->id\b|\.id\b' | grep -v '^common/err\.c:' |
	grep -v '^shell/eval\.c:.*str_ieq(last, err->id)' || true)
if [ -n "$texty" ]; then
	echo "err_ids_listed.sh: FAIL: decisions on the text of an error category or id:" >&2
	echo "$texty" >&2
	exit 1
fi
echo "err_ids_listed.sh: all $n error ids of common/, net/ and engine/ have a verdict; no decision compares their text"
