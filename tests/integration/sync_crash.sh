#!/bin/sh
# sync_crash.sh - crash safety: kill -9 the sync at random moments 12 times
# per destination (local Maildir++ and target IMAP), then let it finish; the
# result must be an exact copy: nothing missing, nothing duplicated (the
# verifier compares message multisets, so a duplicate is a difference).
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

KILLS=${MG_SYNC_KILLS:-12}
mg_dovecot_start SRC --users "user1"
mg_dovecot_start DST --users "user1 user2"
mg_dovecot_load_corpus SRC --seed 21 --messages 1200

rnd_delay() {   # MAX (hundredths): a delay of 0.03 .. MAX s
	r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	r=$(( r % $1 + 3 ))
	printf '%d.%02d' $((r / 100)) $((r % 100))
}

# More work at the source when a run finished before it could be killed:
# 300 new messages (from a reserve corpus) into INBOX.  A copy of 1200
# messages into a local Maildir takes well under a second on a fast machine,
# so a few new messages would be copied before any random kill could hit.
mg_corpus --out "$MG_TMP/reserve" --users user1 --seed 22 --messages 3000 --quiet || mg_fail "corpus"
am_round=0
add_mail() {
	am_round=$((am_round + 1))
	am_n=0
	# one path a line: folder names hold spaces ("Junk Email")
	find "$MG_TMP/reserve/user1" -type f -path '*/cur/*' | head -n 300 >"$MG_TMP/reserve.list"
	while IFS= read -r am_f; do
		am_n=$((am_n + 1))
		mv "$am_f" "$SRC_MAIL/user1/cur/$(date +%s).R${am_round}N$am_n.migsh-reserve:2,S"
	done <"$MG_TMP/reserve.list"
	[ "$am_n" -gt 0 ] || mg_fail "the reserve corpus is used up"
	mg__chown "$SRC_MAIL/user1/cur"
}

crash_loop() {  # NAME MAXDELAY ARGS...
	cl_name=$1
	cl_max=$2
	shift 2
	i=0
	kills=0
	while [ $kills -lt "$KILLS" ] && [ $i -lt $((KILLS * 3)) ]; do
		"$SYNC_DRIVER" --src-port "$SRC_IMAP_PORT" "$@" >"$MG_TMP/$cl_name.k$i" 2>&1 &
		pid=$!
		sleep "$(rnd_delay "$cl_max")"
		kill -9 "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
		if grep -q "^items_in_source:" "$MG_TMP/$cl_name.k$i"; then
			# it had finished: give the next run work to be killed in, and
			# kill sooner (down to 0.03 .. 0.10 s)
			add_mail
			cl_max=$((cl_max * 2 / 3))
			[ "$cl_max" -ge 8 ] || cl_max=8
		else
			kills=$((kills + 1))
		fi
		i=$((i + 1))
	done
	[ $kills -ge "$KILLS" ] || mg_fail "$cl_name: only $kills of $i runs were killed mid-way"
	mg_log "$cl_name: killed $kills runs (of $i) at random moments"
	sync_run "$MG_TMP/$cl_name.final" "$@" || mg_fail "$cl_name: final run failed: $(cat "$MG_TMP/$cl_name.final")"
	sync_run "$MG_TMP/$cl_name.again" "$@" || mg_fail "$cl_name: run after final failed"
	expect_stat "$MG_TMP/$cl_name.again" items_copied 0
}

# local store
crash_loop md 25 --user user1 --pass-env MG_PW --maildir "$DST_MAIL/user1" --state "$MG_TMP/state/md"
mg__chown "$DST_MAIL/user1"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user1 --b-pass-env MG_PW --map "Junk Email=Junk"
[ -z "$(ls -A "$DST_MAIL/user1/tmp")" ] || mg_fail "tmp/ holds leftovers of killed writes after a complete run"

# target IMAP (user1 at the source -> user2 at the target)
crash_loop imap 80 --user user1 --pass-env MG_PW --target-port "$DST_IMAP_PORT" --target-user user2 \
	--target-pass-env MG_PW --state "$MG_TMP/state/imap"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user2 --b-pass-env MG_PW --map "Junk Email=Junk" --min-size 1
mg_log "crash safety: $KILLS kills per destination, exact copies afterwards"
