#!/bin/sh
# man_references.sh - every manual page, help topic and source comment that
# points at another page or file points at one that exists: NAME(N) and
# "man [N] NAME" for migsh's own pages (migsh*, the cmdlets), about_* topics
# (Get-Help must know them), and repository paths (dir/file.md, .c, .h, .sh).
# Pages of other programs (cron(8), dovecot(1)) are not checked.
set -u
: "${top_builddir:?}" "${top_srcdir:?}"
MANGEN="$top_builddir/man/mangen"
[ -x "$MANGEN" ] || { echo "SKIP: $MANGEN is not built"; exit 77; }
[ -x "${MIGSH:-}" ] || { echo "SKIP: migsh is not built"; exit 77; }
if command -v mandoc >/dev/null 2>&1; then
	render() { mandoc -T ascii -O width=300 "$1" | col -b; }
elif command -v man >/dev/null 2>&1; then
	render() { MANWIDTH=300 man -E UTF-8 -l "$1" 2>/dev/null | col -b; }
else
	echo "SKIP: neither mandoc nor man-db is installed (apt-get install mandoc)"; exit 77
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/man_refs.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$MANGEN" "$TMP/gen" || { echo "FAIL: mangen could not write the pages"; exit 1; }
(cd "$TMP/gen" && ls) >"$TMP/pages"
ours() { # NAME: is it a name migsh would own?
	case $1 in
	migsh* | [A-Z]*-[A-Z]*) return 0 ;;
	*) return 1 ;;
	esac
}
page_exists() { # NAME [SECTION]
	if [ -n "${2:-}" ]; then grep -qix -- "$1.$2" "$TMP/pages"; else grep -qi -- "^$1\.[1-8]\$" "$TMP/pages"; fi
}

# 1. the rendered pages
for f in "$TMP"/gen/*; do
	p=$(basename "$f")
	render "$f" >"$TMP/text"
	# hyphenation would break names: the width above keeps lines whole
	grep -o '[A-Za-z][A-Za-z0-9_.-]*([1-8])' "$TMP/text" | sort -u | while IFS= read -r ref; do
		name=${ref%(*} sec=${ref#*(}; sec=${sec%)}
		ours "$name" || continue
		page_exists "$name" "$sec" || echo "$p names $ref, which is not a page" >>"$TMP/bad"
	done
	grep -o 'man  *\([1-8]  *\)\{0,1\}[A-Za-z][A-Za-z0-9_.-]*' "$TMP/text" | sort -u | while IFS= read -r ref; do
		set -- $ref
		if [ $# -eq 3 ]; then name=$3 sec=$2; else name=$2 sec=; fi
		ours "$name" || continue
		page_exists "$name" "$sec" || echo "$p says '$ref', which is not a page" >>"$TMP/bad"
	done
	grep -o 'about_[A-Za-z][A-Za-z_]*' "$TMP/text" | sort -u >>"$TMP/topics.$p"
	grep -o '[A-Za-z0-9_.-]*/[A-Za-z0-9_./-]*\.\(md\|c\|h\|sh\)\b' "$TMP/text" | sort -u | while IFS= read -r path; do
		case $path in /* | *\$*) continue ;; esac    # absolute or run-time paths: not the repository's
		[ -e "$top_srcdir/$path" ] || echo "$p names the file $path, which is not in the repository" >>"$TMP/bad"
	done
done
"$MIGSH" -c 'Get-Help about_* | ForEach-Object { $_.Name }' >"$TMP/known" 2>/dev/null ||
	"$MIGSH" -c 'Get-Help about_*' >"$TMP/known" 2>/dev/null
for t in "$TMP"/topics.*; do
	p=${t#"$TMP"/topics.}
	sort -u "$t" | while IFS= read -r topic; do
		grep -qw -- "$topic" "$TMP/known" || echo "$p names the help topic $topic, which Get-Help does not know" >>"$TMP/bad"
	done
done

# 2. comments in the sources (what a developer is sent to read)
for f in $(cd "$top_srcdir" && ls common/*.[ch] net/*.[ch] engine/*.[ch] shell/*.[ch] cmdlets/*.[ch] man/*.c tests/*/*.c tests/*/*.sh 2>/dev/null); do
	grep -o 'migsh[a-z-]*([1-8])' "$top_srcdir/$f" | sort -u | while IFS= read -r ref; do
		name=${ref%(*} sec=${ref#*(}; sec=${sec%)}
		page_exists "$name" "$sec" || echo "$f cites $ref, which is not a page" >>"$TMP/bad"
	done
	grep -o '\(reference\|docs\|doc\)/[A-Za-z0-9_./-]*\.md' "$top_srcdir/$f" | sort -u | while IFS= read -r path; do
		[ -e "$top_srcdir/$path" ] || echo "$f cites $path, which is not in the repository" >>"$TMP/bad"
	done
done

if [ -s "$TMP/bad" ]; then
	sort -u "$TMP/bad" | while IFS= read -r l; do echo "FAIL: $l"; done
	failures=$((failures + $(sort -u "$TMP/bad" | wc -l)))
fi
n=$(wc -l <"$TMP/pages")
[ "$n" -ge 30 ] || fail "only $n pages generated"
[ "$failures" -eq 0 ] || { echo "man_references: $failures problem(s)"; exit 1; }
echo "man_references: ok ($n pages)"
