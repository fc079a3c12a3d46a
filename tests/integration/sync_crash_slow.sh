#!/bin/sh
# sync_crash_slow.sh - crash safety into a slow IMAP target: the service is
# killed (SIGKILL) 12 times while it APPENDs to a target Dovecot reached
# through bench/delayproxy, which holds what a killed run had already sent
# for a few more seconds before the server gets it.  So the dead run's APPEND
# is stored after the next run has started - often after that run has
# reconciled the interrupted appends and decided they were missing, and has
# copied them again (what a busy server, or a proxy in front of it, does).
# Afterwards the target must be an exact copy of the source: nothing missing,
# nothing duplicated (the verifier compares message multisets per folder),
# and the statistics must say so.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

# 12 kills by default (25 before): the two cases each kill can hit - a copy
# the target stored before the run died, and a late copy stored after the
# next run copied the message again - are unit-tested at exact points in
# tests/unit/test_sync_mem_target.c; MG_SYNC_KILLS=25 for a longer hunt
KILLS=${MG_SYNC_KILLS:-12}
HOLD=${MG_SYNC_HOLD_MS:-3000}     # a dead client's last bytes reach the server this much later
PROXY=$top_builddir/bench/delayproxy
[ -x "$PROXY" ] || mg_fail "delay proxy not built: $PROXY (run make check)"

mg_dovecot_start SRC --users "user1"
mg_dovecot_start DST --users "user2"
mg_dovecot_load_corpus SRC --seed 31 --messages 300

# the target through a relay: 20 ms each way, at most 1 MiB in flight per
# direction (about 50 MB/s, so a MULTIAPPEND of 100 messages takes a moment),
# and a killed client's last bytes held for HOLD ms.  (Measured on main's code:
# 24 and 38 duplicates in two runs with this; 4 and 5 with 5 ms / 256 KiB.)
PPORT=$(mg_free_ports 1)
"$PROXY" -l "$PPORT" -c "$DST_IMAP_PORT" -d 20 -w 1048576 -e "$HOLD" 2>"$MG_TMP/proxy.log" &
MG_CHILD_PIDS="$MG_CHILD_PIDS $!"
"$(mg_tool waitport)" "$PPORT" 10 >/dev/null 2>&1 || mg_fail "delay proxy did not start"

rnd_delay() {   # MAX (hundredths): a delay of 0 .. MAX s
	r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	r=$(( r % ($1 + 1) ))
	printf '%d.%02d' $((r / 100)) $((r % 100))
}

# intent records in the journals: new ones mean a run is about to APPEND
# (one alone is the empty message the target refuses on every pass)
intents() {
	cat "$MG_TMP"/state/folders/*.jnl 2>/dev/null | grep -c "^I" || :
}

# More work at the source when a run finished before it could be killed:
# 100 messages each time, and at most KILLS + 1 such runs before the loop
# gives up on its own (2 * KILLS runs in all); 10 to 14 of 35 to 39 runs
# finished early in the runs seen, and 1500 messages once ran out.
mg_corpus --out "$MG_TMP/reserve" --users user1 --seed 32 --messages $((KILLS * 100 + 500)) --quiet ||
	mg_fail "corpus"
am_round=0
add_mail() {   # (file names hold spaces: "Junk Email")
	am_round=$((am_round + 1))
	am_n=0
	find "$MG_TMP/reserve/user1" -type f -path '*/cur/*' | head -n 100 >"$MG_TMP/batch"
	while IFS= read -r am_f; do
		am_n=$((am_n + 1))
		mv "$am_f" "$SRC_MAIL/user1/cur/$(date +%s).R${am_round}N$am_n.migsh-reserve:2,S"
	done <"$MG_TMP/batch"
	[ "$am_n" -gt 0 ] || mg_fail "the reserve corpus is used up"
	mg__chown "$SRC_MAIL/user1/cur"
}

ARGS="--user user1 --pass-env MG_PW --target-port $PPORT --target-user user2 --target-pass-env MG_PW
	--state $MG_TMP/state"
i=0
kills=0
while [ $kills -lt "$KILLS" ] && [ $i -lt $((KILLS * 2)) ]; do
	before=$(intents)
	# shellcheck disable=SC2086
	"$SYNC_DRIVER" --src-port "$SRC_IMAP_PORT" --log $ARGS >"$MG_TMP/k$i" 2>"$MG_TMP/k$i.err" &
	pid=$!
	# kill at a random moment of its APPENDs: 0 .. 1.5 s after it journalled intents
	w=0
	while [ "$(intents)" -lt $((before + 2)) ] && kill -0 "$pid" 2>/dev/null && [ $w -lt 400 ]; do
		sleep 0.05
		w=$((w + 1))
	done
	sleep "$(rnd_delay 150)"
	kill -9 "$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
	if grep -q "^items_in_source:" "$MG_TMP/k$i"; then
		add_mail      # it had finished: give the next run work to be killed in
	else
		kills=$((kills + 1))
	fi
	i=$((i + 1))
done
[ $kills -ge "$KILLS" ] || mg_fail "only $kills of $i runs were killed mid-way"
reconciled=$(cat "$MG_TMP"/k*.err | grep -c "interrupted appends were already at the target" || :)
mg_log "killed $kills runs (of $i); $reconciled folder reconciliations"

# The run right after the last kill meets the dead run's late APPEND too.
# shellcheck disable=SC2086
sync_run "$MG_TMP/final" $ARGS || mg_fail "final run failed: $(cat "$MG_TMP/final" "$MG_TMP/final.err")"
# Let every held byte reach the server, then a later pass must leave nothing to do.
sleep "$(( HOLD / 1000 + 2 ))"
# shellcheck disable=SC2086
sync_run "$MG_TMP/again" $ARGS || mg_fail "run after final failed: $(cat "$MG_TMP/again.err")"
expect_stat "$MG_TMP/again" items_copied 0
grep -h "late cop" "$MG_TMP"/k*.err "$MG_TMP/final.err" "$MG_TMP/again.err" >&2 || :

compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user2 --b-pass-env MG_PW --map "Junk Email=Junk" --min-size 1

# The statistics agree with the target: every source message is there once.
insrc=$(stat_of "$MG_TMP/again" items_in_source)
synced=$(stat_of "$MG_TMP/again" items_synced)
skipped=$(stat_of "$MG_TMP/again" items_skipped)
[ "$((synced + skipped))" -eq "$insrc" ] ||
	mg_fail "statistics: $synced synced + $skipped skipped != $insrc in source"
mg_log "crash safety into a slow target: $KILLS kills, exact copy afterwards"
