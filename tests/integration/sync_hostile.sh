#!/bin/sh
# sync_hostile.sh - the sync engine against a scripted server that misbehaves
# (tests/lib/hostile_imapd.c):
#  - folder names that cannot be mapped (a NUL inside, raw 8-bit bytes, 600
#    bytes long, too long for the file system once encoded) are skipped with a FolderNameInvalid line naming them
#    (escaped, printable) and saying why in full; the rest is migrated; the
#    NUL name is never sent cut short (as another folder's name);
#  - a NUL in FLAGS outside a literal: the flag is reported and dropped, the
#    message is still copied (with its other flags);
#  - UID FETCH that repeats UID 1 with another body and never gives UID 2:
#    the folder is read again, and when still inconsistent the user ends with
#    a warning naming the folder and the count and a bad item (never Perfect);
#    when the second read is right, everything is copied and nothing is bad;
#  - a server that drops every connection after one message: with 2 retries
#    the user still finishes, because a pass that made progress earns fresh
#    retries (retries count failures in a row without progress).
# A Maildir destination (tests the engine, no Dovecot needed).
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
SYNC_DRIVER=$top_builddir/tests/integration/sync_driver
HOSTILE=$top_builddir/tests/lib/mg-hostile-imapd
[ -x "$HOSTILE" ] || mg_fail "scripted server not built: $HOSTILE (run make check)"
export MG_PW=secret

start_server() {    # SCENARIO
	hport=$("$top_builddir/tests/lib/mg-freeport")
	: >"$MG_TMP/$1.cmds"
	"$HOSTILE" -p "$hport" -S "$1" -L "$MG_TMP/$1.cmds" &
	hpid=$!
	mg_on_exit "kill $hpid 2>/dev/null || :"     # also when a check fails
	"$top_builddir/tests/lib/mg-waitport" "$hport" >/dev/null 2>&1 || mg_fail "scripted server did not start"
}
stop_server() {
	kill "$hpid" 2>/dev/null || :
	wait "$hpid" 2>/dev/null || :
}
run() {   # NAME [RETRIES]
	rc=0
	"$SYNC_DRIVER" --src-port "$hport" --user u --pass-env MG_PW --maildir "$MG_TMP/$1.md" \
		--state "$MG_TMP/$1.state" --retries "${2:-1}" --log >"$MG_TMP/$1.out" 2>"$MG_TMP/$1.err" || rc=$?
	[ "$rc" -eq 0 ] || mg_fail "$1: the user failed: $(cat "$MG_TMP/$1.out" "$MG_TMP/$1.err")"
}
stat_of() { sed -n "s/^$2: //p" "$MG_TMP/$1.out" | head -n 1; }
want() {  # NAME KEY VALUE
	[ "$(stat_of "$1" "$2")" = "$3" ] || mg_fail "$1: $2 is '$(stat_of "$1" "$2")', expected $3: $(cat "$MG_TMP/$1.out")"
}
count_mail() { find "$1/cur" "$1/new" -type f 2>/dev/null | wc -l | tr -d ' '; }

# ---- names and flags ----
start_server names
run names
stop_server
want names items_copied 4
want names folders_synced 2
[ "$(count_mail "$MG_TMP/names.md")" = 3 ] || mg_fail "INBOX: expected 3 messages"
[ "$(count_mail "$MG_TMP/names.md/.Work")" = 1 ] || mg_fail "Work: expected 1 message"
# the message with the damaged flag is copied, with \Seen
ls "$MG_TMP/names.md/cur" | grep -q ':2,[A-Z]*S' || mg_fail "the \\Seen flag next to the damaged one was lost"
grep -q "damaged flag(s) dropped" "$MG_TMP/names.err" || mg_fail "damaged flag not reported: $(cat "$MG_TMP/names.err")"
n=$(grep -c '^skipped: kind=FolderNameInvalid' "$MG_TMP/names.out" || :)
[ "$n" = 4 ] || mg_fail "expected 4 FolderNameInvalid lines, got $n: $(cat "$MG_TMP/names.out")"
grep -q '^skipped: kind=FolderNameInvalid folder=Ab\\x00cd .*NUL' "$MG_TMP/names.out" ||
	mg_fail "NUL name not reported escaped: $(grep skipped "$MG_TMP/names.out")"
grep -q '^skipped: kind=FolderNameInvalid folder=Caf\\xE9 ' "$MG_TMP/names.out" ||
	mg_fail "8-bit name not reported escaped: $(grep skipped "$MG_TMP/names.out")"
grep -q '^skipped: kind=FolderNameInvalid folder=LLLL.* reason=folder name is 600 bytes long, more than the 240 bytes a destination folder name may have' "$MG_TMP/names.out" ||
	mg_fail "long name: reason missing or cut: $(grep skipped "$MG_TMP/names.out")"
# a name the file system refuses (ENAMETOOLONG once encoded): skipped with the cause, whole
grep -q '^skipped: kind=FolderNameInvalid folder=ééééé.* reason=the destination file system refused the folder name: File name too long; 1 items not migrated' "$MG_TMP/names.out" ||
	mg_fail "file-system refusal not reported: $(grep skipped "$MG_TMP/names.out")"
# every stored line is printable UTF-8 (a record can hold it)
if LC_ALL=C grep -n '[^[:print:]]' "$MG_TMP/names.out" | grep -v '^\s*$' | LC_ALL=C grep -q -P '[\x00-\x08\x0b-\x1f\x7f]'; then
	mg_fail "control bytes in the statistics: $(cat -v "$MG_TMP/names.out")"
fi
iconv -f UTF-8 -t UTF-8 "$MG_TMP/names.out" >/dev/null || mg_fail "statistics are not valid UTF-8"
# the NUL name was never sent, and never cut to "Ab"
if grep -E '(EXAMINE|STATUS) ("Ab"|Ab)( |$)|\\0' "$MG_TMP/names.cmds"; then
	mg_fail "a damaged or cut folder name was sent to the server"
fi
mg_log "unmappable names skipped and reported; damaged flag dropped, messages copied"

# subjects of skipped messages (all of them are "large" here) are stored escaped
start_server names
rc=0
"$SYNC_DRIVER" --src-port "$hport" --user u --pass-env MG_PW --maildir "$MG_TMP/subj.md" \
	--state "$MG_TMP/subj.state" --large-bytes 1 --log >"$MG_TMP/subj.out" 2>"$MG_TMP/subj.err" || rc=$?
stop_server
[ "$rc" -eq 0 ] || mg_fail "subjects: the user failed: $(cat "$MG_TMP/subj.out")"
grep -q '^skipped: kind=LargeItem folder=INBOX uid=1 .*subject=one$' "$MG_TMP/subj.out" ||
	mg_fail "subject of a skipped message missing: $(grep skipped "$MG_TMP/subj.out")"
grep -q '^skipped: kind=LargeItem folder=INBOX uid=3 .*subject=Caf\\xE9\\x01!$' "$MG_TMP/subj.out" ||
	mg_fail "raw subject not escaped: $(grep skipped "$MG_TMP/subj.out" | cat -v)"
iconv -f UTF-8 -t UTF-8 "$MG_TMP/subj.out" >/dev/null || mg_fail "skipped items are not valid UTF-8"

# ---- a repeated UID, a missing one, twice ----
start_server dupuid
run dupuid
stop_server
want dupuid items_bad 1
want dupuid items_in_source 3
[ "$(grep -c 'EXAMINE' "$MG_TMP/dupuid.cmds")" -ge 2 ] || mg_fail "the folder was not read again"
grep -q "WARNING: folder 'INBOX': .*3 messages (EXISTS) but 2 distinct UIDs.*1 message(s) could not be read" \
	"$MG_TMP/dupuid.err" || mg_fail "no warning naming the folder and the count: $(cat "$MG_TMP/dupuid.err")"
grep -q "^skipped: kind=BadItem folder=INBOX .*could not be read" "$MG_TMP/dupuid.out" ||
	mg_fail "no bad item recorded: $(cat "$MG_TMP/dupuid.out")"
mg_log "repeated and missing UIDs detected after a second read"

# ---- the same, but only on the first read: the re-read fixes it ----
start_server dupuid1
run dupuid1
stop_server
want dupuid1 items_bad 0
want dupuid1 items_copied 3
[ "$(count_mail "$MG_TMP/dupuid1.md")" = 3 ] || mg_fail "dupuid1: expected 3 messages"
mg_log "a transient inconsistency is cured by reading the folder again"

# ---- dropped after every message: progress earns fresh retries ----
start_server flaky
run flaky 2
stop_server
want flaky items_copied 6
want flaky folders_synced 6
[ "$(grep -c 'retry 1 of 2' "$MG_TMP/flaky.err")" -ge 5 ] || mg_fail "expected 5 retries after progress: $(cat "$MG_TMP/flaky.err")"
mg_log "a connection dropped after every message: the user finishes"
