#!/bin/sh
# sync_every_step.sh - crash safety proved step by step, not sampled: the
# sync is stopped (SIGKILL) right after its 1st journal record is durable,
# then after its 2nd, ... until a run finishes without reaching the limit;
# after every stop the sync is resumed and the destination must be an exact
# copy (nothing missing, nothing duplicated) and a further run must copy
# nothing.  Odd steps also leave half of the next record (a torn write).
# Both destinations (local Maildir++ and target IMAP), for a first sync and
# for an incremental pass (new mail in two folders, flag changes).
#
# The stop comes from tests/integration/sync_stepper: the sync driver built
# with the journal's test-only step limit (MIGSH_TEST_JOURNAL_STEPS, see
# engine/sync_journal.h); migsh itself never reads that variable.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

STEPPER=$top_builddir/tests/integration/sync_stepper
[ -x "$STEPPER" ] || mg_fail "stepper not built: $STEPPER (run make check)"
MAX_STEPS=${MG_MAX_STEPS:-120}

mg_dovecot_start SRC --users "user1"
mg_dovecot_start DST --users "md-base imap-base"
mg_dovecot_load_corpus SRC --seed 41 --messages 6 --no-traps
# a fresh target account for every step (Dovecot re-reads its user list at
# most once a second, so they are all made before the first step)
accounts=
for kind in md imap; do
	for phase in first incr; do
		i=1
		while [ $i -le "$MAX_STEPS" ]; do
			accounts="$accounts $kind$phase-$i"
			i=$((i + 1))
		done
	done
done
mg_dovecot_add_users DST "$accounts"

# dest_args KIND USER STATE: the driver's arguments for a destination.  Three
# folders (one nested) keep the number of steps, and so the run time, small:
# every folder goes through the same journal steps.
dest_args() {
	echo "--include INBOX --include Sent --include Archive/2019"
	case $1 in
	md) echo "--maildir $DST_MAIL/$2 --state $3" ;;
	imap) echo "--target-port $DST_IMAP_PORT --target-user $2 --target-pass-env MG_PW --state $3" ;;
	esac
}

verify() {  # KIND USER
	if [ "$1" = md ]; then
		mg__chown "$DST_MAIL/$2"
		v_min=0
	else
		v_min=1
	fi
	compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
		--b-port "$DST_IMAP_PORT" --b-user "$2" --b-pass-env MG_PW --min-size $v_min \
		--skip Drafts --skip Trash --skip Archive --skip "Entwürfe" --skip "Junk Email"
}

# step_all KIND PHASE PREPARE: for N = 1, 2, ...: PREPARE USER STATE makes a
# fresh destination, the stepper stops after N records, a normal run resumes,
# the copy is verified, and a further run copies nothing.
step_all() {
	sa_kind=$1 sa_phase=$2 sa_prep=$3
	n=1
	while :; do
		u=$sa_kind$sa_phase-$n
		st=$MG_TMP/state/$u
		$sa_prep "$u" "$st"
		rc=0
		if [ $((n % 2)) -eq 1 ]; then torn=1; else torn=0; fi
		MIGSH_TEST_JOURNAL_STEPS=$n MIGSH_TEST_JOURNAL_TORN=$torn \
			"$STEPPER" --src-port "$SRC_IMAP_PORT" --user user1 --pass-env MG_PW \
			$(dest_args "$sa_kind" "$u" "$st") >"$MG_TMP/$u.step" 2>&1 || rc=$?
		if [ $rc -eq 0 ]; then
			[ $n -gt 2 ] || mg_fail "$sa_kind/$sa_phase: the run ended before step $n: nothing was stopped"
			break
		fi
		[ $rc -eq 137 ] || { cat "$MG_TMP/$u.step" >&2; mg_fail "$sa_kind/$sa_phase step $n: the stepper exited $rc, not by its SIGKILL"; }
		sync_run "$MG_TMP/$u.resume" --user user1 --pass-env MG_PW $(dest_args "$sa_kind" "$u" "$st") ||
			{ cat "$MG_TMP/$u.resume.err" >&2; mg_fail "$sa_kind/$sa_phase: resuming after step $n failed"; }
		mg_log "$sa_kind/$sa_phase: stopped at step $n, resumed; comparing"
		verify "$sa_kind" "$u"
		sync_run "$MG_TMP/$u.again" --user user1 --pass-env MG_PW $(dest_args "$sa_kind" "$u" "$st") ||
			mg_fail "$sa_kind/$sa_phase: the run after the resume failed (step $n)"
		expect_stat "$MG_TMP/$u.again" items_copied 0
		n=$((n + 1))
		[ $n -le "$MAX_STEPS" ] || mg_fail "$sa_kind/$sa_phase: more than $MAX_STEPS journal steps (raise MG_MAX_STEPS)"
	done
	mg_log "$sa_kind/$sa_phase: stopped after each of $((n - 1)) journal steps, exact after every resume"
}

fresh() { :; }                    # an empty destination, no state
from_base() {                     # the destination and state after pass 1
	fb_base=${1%%incr-*}-base
	mkdir -p "$MG_TMP/state"
	cp -a "$MG_TMP/state/$fb_base" "$2"
	rm -rf "${DST_MAIL:?}/$1"
	cp -a "$DST_MAIL/$fb_base" "$DST_MAIL/$1"
	mg__chown "$DST_MAIL/$1"
}

# both_kinds PHASE PREPARE: the steps of both destinations, side by side
# (each waits mostly on the servers and fsync, not on the CPU)
both_kinds() {
	( step_all md "$1" "$2" ) &
	bk_md=$!
	( step_all imap "$1" "$2" ) &
	bk_imap=$!
	bk_rc=0
	wait $bk_md || bk_rc=1
	wait $bk_imap || bk_rc=1
	[ $bk_rc -eq 0 ] || mg_fail "$1: a destination was not exact after some step (see above)"
}

# pass 1 of each kind, kept as the base of the incremental steps
for kind in md imap; do
	sync_run "$MG_TMP/$kind-base.out" --user user1 --pass-env MG_PW \
		$(dest_args "$kind" "$kind-base" "$MG_TMP/state/$kind-base") || mg_fail "$kind: pass 1 failed"
done
both_kinds first fresh

# the mailbox changes: new mail in INBOX and Sent, flags changed on two messages
printf 'From: a@example.org\r\nSubject: new-%s\r\nMessage-ID: <new-%s@example.org>\r\n\r\nbody\r\n' 1 1 >"$MG_TMP/n1.eml"
printf 'From: a@example.org\r\nSubject: new-%s\r\nMessage-ID: <new-%s@example.org>\r\n\r\nbody two\r\n' 2 2 >"$MG_TMP/n2.eml"
mg_maildir_add SRC user1 INBOX "$MG_TMP/n1.eml" "" >/dev/null
mg_maildir_add SRC user1 Sent "$MG_TMP/n2.eml" "S" >/dev/null
mg_maildir_add SRC user1 INBOX "$MG_TMP/n2.eml" "F" >/dev/null
for f in $(find "$SRC_MAIL/user1/cur" -type f -name '*:2,*' | grep -v migsh-test | head -n 2); do
	mg_maildir_setflags "$f" "FRS" >/dev/null
done
both_kinds incr from_base
mg_log "every journal step of a first and an incremental sync, into both destinations: exact"
