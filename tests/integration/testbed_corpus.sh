#!/bin/sh
# testbed_corpus.sh - the corpus generator is deterministic (same seed =>
# byte-identical tree: names, contents, mtimes), different seeds differ, a
# user's mail does not depend on the other users listed, and the tree holds
# what the tests rely on (folders, keywords file, special messages, exact big
# message sizes).
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"

# listing DIR: every file with its size and mtime, then a checksum of every file
listing() {
	(cd "$1" && find . -type f -printf '%P %s %T@\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 cksum)
}

a=$MG_TMP/a b=$MG_TMP/b c=$MG_TMP/c d=$MG_TMP/d
mg_corpus --seed 42 --out "$a" --users "ann,bob" --messages 40 --big-size 200000 --big-count 2 \
	--manifest "$MG_TMP/a.tsv" --quiet
mg_corpus --seed 42 --out "$b" --users "ann,bob" --messages 40 --big-size 200000 --big-count 2 \
	--manifest "$MG_TMP/b.tsv" --quiet
listing "$a" >"$MG_TMP/a.list"
listing "$b" >"$MG_TMP/b.list"
cmp "$MG_TMP/a.list" "$MG_TMP/b.list" || mg_fail "same seed gave different trees"
cmp "$MG_TMP/a.tsv" "$MG_TMP/b.tsv" || mg_fail "same seed gave different manifests"

mg_corpus --seed 43 --out "$c" --users "ann,bob" --messages 40 --big-size 200000 --big-count 2 --quiet
listing "$c" >"$MG_TMP/c.list"
! cmp -s "$MG_TMP/a.list" "$MG_TMP/c.list" || mg_fail "different seeds gave the same tree"

# bob's mail is the same whether or not ann is generated too
mg_corpus --seed 42 --out "$d" --users "bob" --messages 40 --big-size 200000 --big-count 2 --quiet
diff -r "$a/bob" "$d/bob" >/dev/null || mg_fail "a user's mail depends on the other users"

# contents
for f in . .Sent .Drafts .Trash .Archive .Archive.2019 '.Entw&APw-rfe' '.Junk Email'; do
	[ -d "$a/ann/$f/cur" ] || mg_fail "folder $f missing"
done
grep -q '^0 \$Forwarded$' "$a/ann/dovecot-keywords" || mg_fail "INBOX dovecot-keywords missing"
ls "$a/ann/cur" | grep -q ':2,FSabcd$' || mg_fail "no message with all keywords"
ls "$a/ann/.Drafts/cur" | grep -q ':2,D' || mg_fail "no draft"
ls "$a/ann/new" | grep -q . || mg_fail "no unseen message in new/"
for k in empty header-only bare-cr no-msgid 8bit-body 8bit-header rfc2047 crlf long-line exact multipart; do
	grep -q "	$k	" "$MG_TMP/a.tsv" || mg_fail "manifest lacks a '$k' message"
done
dups=$(grep -c '	dup-msgid	<duplicate' "$MG_TMP/a.tsv")
[ "$dups" -eq 6 ] || mg_fail "expected 3 duplicate-Message-ID messages per user, got $dups in total"
[ "$(awk -F'\t' '$7 == "exact" && $6 == 200000' "$MG_TMP/a.tsv" | wc -l)" -eq 4 ] ||
	mg_fail "--big-size 200000 --big-count 2 did not give 2 messages of exactly 200000 bytes per user"
empty=$(awk -F'\t' '$7 == "empty" {print $9}' "$MG_TMP/a.tsv" | head -n 1)
[ ! -s "$a/ann/$empty" ] || mg_fail "the empty message is not empty"
ho=$(awk -F'\t' '$1 == "ann" && $7 == "header-only" {print $9}' "$MG_TMP/a.tsv")
! grep -q '^$' "$a/ann/$ho" || mg_fail "the header-only message has a blank line"
cr=$(awk -F'\t' '$1 == "ann" && $7 == "bare-cr" {print $9}' "$MG_TMP/a.tsv")
tr '\r' '@' <"$a/ann/$cr" | grep -q 'line one@still' || mg_fail "no bare CR in the bare-CR message"
[ "$(ls "$a/ann/.Archive.2019/cur" | cut -c1-10 | awk '$1 < 1546300800 || $1 >= 1577836800' | wc -l)" -eq 0 ] ||
	mg_fail "Archive/2019 holds mail not from 2019"

# --total-size gives about the requested volume
mg_corpus --seed 1 --out "$MG_TMP/t" --users "u1,u2" --total-size 8M --no-traps --quiet
kb=$(du -sk "$MG_TMP/t" | cut -f1)
[ "$kb" -ge 7000 ] && [ "$kb" -le 14000 ] || mg_fail "--total-size 8M gave ${kb} KB"

# refuses to mix with existing mail
if mg_corpus --seed 42 --out "$a" --users ann --quiet 2>/dev/null; then
	mg_fail "generator wrote into a Maildir that already had mail"
fi
echo "testbed_corpus: all checks passed"
