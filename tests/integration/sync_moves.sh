#!/bin/sh
# sync_moves.sh - the real-server smoke test of moves between folders (the
# logic - what is a move, deletion sync on, a move into a folder created
# since, a copy that is missing, a move stopped halfway, a pass with nothing
# left to do - is unit-tested against an in-memory destination in
# tests/unit/test_sync_mem_moves.c).  Messages moved to another folder at a
# Dovecot source between passes are moved at the destination, not copied
# again, and not left in their old folder: into the local store (the very
# file is renamed: same inode; the gone messages found by QRESYNC VANISHED)
# and into a target IMAP server (UID MOVE).  A moved message without a
# Message-ID cannot be recognised: it is copied, and its old copy is what
# deletion sync decides about.
# Then crash safety: the pass that moves is stopped after each of its journal
# steps in turn (the stepper, see sync_every_step.sh; odd steps leave half of
# the next record) and resumed, into the local store and into a target (a
# fresh copy, for each step, of a target account synced before the source
# changed); every resumed destination holds each message exactly once, where
# the source has it (m5, never recognised, also in A: deletion sync is off).
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

STEPS=40
accounts=
i=1
while [ $i -le $STEPS ]; do accounts="$accounts t$i"; i=$((i + 1)); done
sync_setup mv "md-off tgt$accounts"
n=0
add() { # FOLDER [NO-MSGID]: one message
	n=$((n + 1))
	mail_add "$1" "m$n" "$([ -n "${2:-}" ] || echo "mv-$n@example.com")" "2024020${n}0000" >/dev/null
}
add INBOX; add A; add A; add A; add A nomsgid; add B
src_imap() { # COMMAND...: one session at the source
	imap_session "$SRC_IMAP_PORT" user1 "$@"
}
T="--target-port $DST_IMAP_PORT --target-user tgt --target-pass-env MG_PW"
sync_user1 off1 --maildir "$DST_MAIL/md-off" --state "$W/s-off"
sync_user1 tgt1 $T --state "$W/s-tgt"
# the account of the target crash steps after its first pass: copied for each step
sync_user1 t1 --target-port "$DST_IMAP_PORT" --target-user t1 --target-pass-env MG_PW --state "$W/st-before"
cp -a "$DST_MAIL/t1" "$W/t-before"
cp -a "$W/s-off" "$W/s-before"
cp -a "$DST_MAIL/md-off" "$W/md-before"
msgs() { # ROOT SUBJECT: the message files holding it
	find "$1" -type f \( -path '*/cur/*' -o -path '*/new/*' \) -exec grep -lF "$2" {} +
}
where() { # ROOT SUBJECT: its folders, one a line ("" for INBOX), sorted
	msgs "$1" "$2" | sed "s|^$1||; s|/cur/.*||; s|/new/.*||" | sort
}
inode() { ls -i "$(msgs "$2" "$1" | head -n 1)" | cut -d ' ' -f 1; }
ino2=$(inode 'Subject: m2' "$DST_MAIL/md-off")

# at the source: m2 moved from A to B and flagged there, m3 moved into a
# folder created since, m5 (no Message-ID) moved from A to B
# (one session per step: Dovecot runs the pipelined commands of a session concurrently)
for step in 'CREATE New' 'SELECT A|MOVE 1 B' 'SELECT A|MOVE 1 New' 'SELECT A|MOVE 2 B' 'SELECT B|STORE 2 +FLAGS (\Flagged)'; do
	old_ifs=$IFS
	IFS='|'
	# shellcheck disable=SC2086
	out=$(src_imap $step)
	IFS=$old_ifs
	! printf '%s\n' "$out" | grep -q '^c[0-9]* \(NO\|BAD\)' || mg_fail "changing the source failed ($step): $out"
done
n_src=$(files "$SRC_MAIL/user1")

# deletion sync off: m2 and m3 moved (the same file), m5 copied, its old copy kept
sync_user1 off2 --maildir "$DST_MAIL/md-off" --state "$W/s-off"
expect_stat "$W/off2" items_moved 2
expect_stat "$W/off2" items_copied 1
expect_stat "$W/off2" items_deleted_at_source 1
cat "$W/off2" "$W/off2.err" | grep -q "folder 'A' -> 'B': 1 message(s) moved at the source; moved at the destination too" ||
	mg_fail "no report line for the move: $(cat "$W/off2.err")"
[ "$(files "$DST_MAIL/md-off")" -eq $((n_src + 1)) ] ||
	mg_fail "deletion sync off: the local store holds $(files "$DST_MAIL/md-off"), expected the source's $n_src plus the 1 deleted"
grep -q "folder 'A': .* gone from the source (QRESYNC VANISHED since modseq" "$W/off2.err" ||
	mg_fail "the gone messages were not found by QRESYNC VANISHED: $(cat "$W/off2.err")"
for s in 2 3; do
	[ "$(msgs "$DST_MAIL/md-off" "Subject: m$s" | wc -l)" -eq 1 ] || mg_fail "m$s is not exactly once at the destination"
done
msgs "$DST_MAIL/md-off" 'Subject: m2' | grep -q '/\.B/cur/' || mg_fail "m2 is not in B at the destination"
msgs "$DST_MAIL/md-off" 'Subject: m3' | grep -q '/\.New/cur/' || mg_fail "m3 is not in New at the destination"
[ "$(inode 'Subject: m2' "$DST_MAIL/md-off")" = "$ino2" ] || mg_fail "m2 was copied again instead of moved (another file)"
msgs "$DST_MAIL/md-off" 'Subject: m2' | grep -q ':2,[A-Z]*F' || mg_fail "m2 did not get the flag it got at the source"

# a target IMAP server, deletion sync off: moved with UID MOVE; m5's old copy stays in A
sync_user1 tgt2 $T --state "$W/s-tgt"
expect_stat "$W/tgt2" items_moved 2
expect_stat "$W/tgt2" items_copied 1
out=$(printf 'a LOGIN tgt %s\nb SELECT A\nc UID SEARCH ALL\nd SELECT B\ne FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)] FLAGS)\nf SELECT New\ng FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\nz LOGOUT\n' "$MG_TEST_PASSWORD" |
	mg_imap_starttls "$DST_IMAP_PORT" | tr -d '\r')
[ "$(printf '%s\n' "$out" | grep -c '^Subject: m2$')" -eq 1 ] || mg_fail "target: m2 not exactly once: $out"
[ "$(printf '%s\n' "$out" | grep -c '^Subject: m3$')" -eq 1 ] || mg_fail "target: m3 not exactly once: $out"
printf '%s\n' "$out" | grep -q 'EXISTS' || mg_fail "target: no folder listing: $out"
[ "$(printf '%s\n' "$out" | grep -c '^Subject: m5$')" -eq 1 ] || mg_fail "target: m5 (copied to B) missing: $out"
printf '%s\n' "$out" | grep -q '^\* SEARCH [0-9]* [0-9]*$' || mg_fail "target: A should keep m4 and the old copy of m5: $out"
printf '%s\n' "$out" | grep -q 'FLAGS (.*\\Flagged' || mg_fail "target: m2 did not get its new flag: $out"

# crash safety of the moving pass: stop after each journal step, resume, check
STEPPER=$top_builddir/tests/integration/sync_stepper
[ -x "$STEPPER" ] || mg_fail "stepper not built: $STEPPER (run make check)"
step=1
while :; do
	rm -rf "$W/s" "$W/md"
	cp -a "$W/s-before" "$W/s"
	cp -a "$W/md-before" "$W/md"
	rc=0
	torn=$((step % 2))
	MIGSH_TEST_JOURNAL_STEPS=$step MIGSH_TEST_JOURNAL_TORN=$torn "$STEPPER" --src-port "$SRC_IMAP_PORT" --user user1 --pass-env MG_PW \
		--maildir "$W/md" --state "$W/s" >"$W/step.out" 2>&1 || rc=$?
	sync_user1 resume --maildir "$W/md" --state "$W/s"
	for s in 1 2 3 4 5 6; do
		want=$(where "$SRC_MAIL/user1" "Subject: m$s")
		[ "$s" -ne 5 ] || want=$(printf '%s\n/.A\n' "$want" | sort)   # its old copy stays (deletion sync off)
		got=$(where "$W/md" "Subject: m$s")
		[ "$got" = "$want" ] || mg_fail "stopped after journal step $step: m$s is in '$got' at the destination, expected '$want'"
	done
	[ "$rc" -ne 0 ] || break
	step=$((step + 1))
	[ "$step" -le 60 ] || mg_fail "the moving pass never finished within 60 journal steps"
done
msteps=$step

# the same into a target
tgt_where() { # ACCOUNT: "folder subject" of every message at the target, sorted
	for f in INBOX A B New; do
		printf 'a LOGIN %s %s\nb EXAMINE %s\nc FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\nz LOGOUT\n' \
			"$1" "$MG_TEST_PASSWORD" "$f" | mg_imap_starttls "$DST_IMAP_PORT" | tr -d '\r' |
			sed -n "s/^Subject: \(m[0-9]*\)\$/$f \1/p"
	done | sort
}
for s in 1 2 3 4 5 6; do
	f=$(where "$SRC_MAIL/user1" "Subject: m$s")
	case $f in '') f=INBOX ;; *) f=${f#/.} ;; esac
	echo "$f m$s"
done >"$W/tgt-want"
echo "A m5" >>"$W/tgt-want"
sort -o "$W/tgt-want" "$W/tgt-want"
step=1
while :; do
	[ "$step" -le "$STEPS" ] || mg_fail "the moving pass into a target did not finish within $STEPS journal steps"
	rc=0
	torn=$((step % 2))
	if [ "$step" -gt 1 ]; then   # t1 is the account as it was before the source changed
		rm -rf "${DST_MAIL:?}/t$step" "$W/st-$step"
		cp -a "$W/t-before" "$DST_MAIL/t$step"
		mg__chown "$DST_MAIL/t$step"
	fi
	[ -d "$W/st-$step" ] || cp -a "$W/st-before" "$W/st-$step"
	MIGSH_TEST_JOURNAL_STEPS=$step MIGSH_TEST_JOURNAL_TORN=$torn "$STEPPER" --src-port "$SRC_IMAP_PORT" --user user1 \
		--pass-env MG_PW --target-port "$DST_IMAP_PORT" --target-user "t$step" --target-pass-env MG_PW \
		--state "$W/st-$step" >"$W/tstep.out" 2>&1 || rc=$?
	sync_user1 tresume --target-port "$DST_IMAP_PORT" --target-user "t$step" --target-pass-env MG_PW --state "$W/st-$step"
	tgt_where "t$step" >"$W/tgt-got"
	cmp -s "$W/tgt-want" "$W/tgt-got" ||
		mg_fail "target, stopped after journal step $step: $(diff "$W/tgt-want" "$W/tgt-got")"
	[ "$rc" -ne 0 ] || break
	step=$((step + 1))
done
tsteps=$step

# deletion sync off, one more pass after another deletion: the copy kept
# before (m5 in A) and the new one (m4) are both counted, QRESYNC or not
rm -f "$(msgs "$SRC_MAIL/user1/.A" 'Subject: m4')"
sync_user1 off4 --maildir "$DST_MAIL/md-off" --state "$W/s-off"
expect_stat "$W/off4" items_deleted_at_source 2
expect_stat "$W/off4" items_copied 0
echo "sync_moves: ok ($msteps journal steps into the local store, $tsteps into a target)"
