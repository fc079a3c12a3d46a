#!/bin/sh
# help_man.sh - issue 7: man pages and Get-Help come from one source.
# Renders every page with man/mangen, lints each with `mandoc -T lint` and
# `man --warnings` (any message, style notes included, fails), checks every cmdlet of the dispatch
# table has a page with all sections, that `man -M DIR New-MigrationBatch`
# finds an installed-style page, and that Get-Help -Full names the same
# parameters as the man page.
set -u
: "${top_builddir:?}"
MANGEN="$top_builddir/man/mangen"
[ -x "$MANGEN" ] || { echo "SKIP: $MANGEN is not built"; exit 77; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/help_man.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$MANGEN" --check || fail "cmdlet declarations are incomplete (mangen --check, see above)"
"$MANGEN" "$TMP/gen" || { echo "FAIL: mangen could not write the pages"; exit 1; }
"$MANGEN" --list | sort > "$TMP/list"
(cd "$TMP/gen" && ls) | sort > "$TMP/files"
cmp -s "$TMP/list" "$TMP/files" || fail "mangen --list differs from the files written"
npages=$(wc -l < "$TMP/list")
[ "$npages" -ge 30 ] || fail "only $npages pages"

have_lint=0
if command -v mandoc >/dev/null 2>&1; then
	have_lint=1
	for f in "$TMP"/gen/*; do
		out=$(mandoc -T lint -W style "$f" 2>&1)
		[ -z "$out" ] || fail "mandoc: $out"
	done
	echo "ok: mandoc -T lint -W style on $npages pages"
fi
if command -v man >/dev/null 2>&1 && man --help 2>&1 | grep -q -- --warnings; then
	have_lint=1
	for f in "$TMP"/gen/*; do
		out=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$f" 2>&1 >/dev/null)
		[ -z "$out" ] || fail "man --warnings $(basename "$f"): $out"
	done
	echo "ok: man --warnings -l on $npages pages"
fi
[ "$have_lint" -eq 1 ] || { echo "SKIP: neither mandoc nor man-db is installed (apt-get install mandoc)"; exit 77; }

# every cmdlet page has every section
for f in "$TMP"/gen/*.1; do
	case $(basename "$f") in migsh.1) continue ;; esac
	for s in NAME SYNOPSIS DESCRIPTION PARAMETERS INPUTS OUTPUTS NOTES EXAMPLES SEE_ALSO; do
		s=$(echo "$s" | tr _ ' ')
		grep -q "^\.SH \"\{0,1\}$s\"\{0,1\}\$" "$f" || fail "$(basename "$f") has no $s section"
	done
done
for s in NAME SYNOPSIS DESCRIPTION OPTIONS EXIT_STATUS ENVIRONMENT FILES SEE_ALSO; do
	s=$(echo "$s" | tr _ ' ')
	grep -q "^\.SH \"\{0,1\}$s\"\{0,1\}\$" "$TMP/gen/migsh.1" || fail "migsh.1 has no $s section"
done
for v in MIGSH_HOME NO_COLOR SSL_CERT_FILE SSL_CERT_DIR; do
	grep -q "$v" "$TMP/gen/migsh.1" || fail "migsh.1 ENVIRONMENT lacks $v"
done
for p in migsh-language.7 migsh-migration.7; do
	[ -s "$TMP/gen/$p" ] || fail "$p missing"
done
grep -q 'ADMINISTRATOR CREDENTIALS' "$TMP/gen/migsh-migration.7" || fail "migsh-migration.7 lacks admin credential formats"
grep -q 'CERTIFICATE ERRORS' "$TMP/gen/migsh-migration.7" || fail "migsh-migration.7 lacks troubleshooting"
echo "ok: sections present"

# installed layout: man -M finds the page by name
if command -v man >/dev/null 2>&1; then
	mkdir -p "$TMP/share/man/man1" "$TMP/share/man/man7"
	cp "$TMP"/gen/*.1 "$TMP/share/man/man1/"
	cp "$TMP"/gen/*.7 "$TMP/share/man/man7/"
	if MANWIDTH=80 man -M "$TMP/share/man" New-MigrationBatch 2>/dev/null | grep -q 'CSVData'; then
		echo "ok: man -M DIR New-MigrationBatch"
	else
		fail "man -M DIR New-MigrationBatch did not show the page"
	fi
	MANWIDTH=80 man -M "$TMP/share/man" 7 migsh-migration 2>/dev/null | grep -q 'WORKFLOW' ||
		fail "man 7 migsh-migration did not show the page"
fi

# Get-Help -Full and the man page name the same parameters
if [ -n "${MIGSH:-}" ] && [ -x "$MIGSH" ] && "$MIGSH" -c 'Write-Output ok' 2>/dev/null | grep -qx ok; then
	export MIGSH_HOME="$TMP/home"
	n=0
	for f in "$TMP"/gen/*.1; do
		name=$(basename "$f" .1)
		[ "$name" = migsh ] && continue
		"$MIGSH" -c "Get-Help $name -Full" > "$TMP/help.txt" 2>&1 ||
			{ fail "Get-Help $name -Full failed"; continue; }
		grep -q "^    $name\$" "$TMP/help.txt" || fail "Get-Help $name -Full lacks NAME"
		# parameter tags in the page: lines after .B that start with \-Name
		sed -n 's/^\.B \\-\([A-Za-z0-9]*\).*/\1/p' "$f" | sort -u > "$TMP/man.params"
		awk '/^PARAMETERS$/ { p = 1; next } /^[A-Z]/ { p = 0 }
		     p && /^    -[A-Za-z]/ { sub(/^    -/, ""); sub(/[^A-Za-z0-9].*/, ""); print }' \
			"$TMP/help.txt" | sort -u > "$TMP/help.params"
		cmp -s "$TMP/man.params" "$TMP/help.params" ||
			fail "$name: Get-Help and man page list different parameters: $(diff "$TMP/man.params" "$TMP/help.params" | tr '\n' ' ')"
		n=$((n + 1))
	done
	echo "ok: Get-Help -Full matches the man page for $n cmdlets"
else
	echo "note: migsh not runnable; Get-Help comparison skipped"
fi

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
