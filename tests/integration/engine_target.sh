#!/bin/sh
# engine_target.sh - batches into a target IMAP server (our -TargetEndpoint
# extension) through the background service, against two real Dovecots:
# the service logs in to the target as each EmailAddress through the
# endpoint's admin account - once with a PLAIN authorization identity, once
# with the Dovecot master-user form "address*admin" - and every message
# arrives; the notification report is APPENDed into the recipient's INBOX on
# the target; a wrong admin password fails the users with the error.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"

D=$top_builddir/tests/integration/engine_driver
[ -x "$D" ] || mg_fail "$D is not built (make check builds it)"

mg_dovecot_start SRC --users "user1 user2 user3"
mg_dovecot_load_corpus SRC --seed 21 --messages 60 --quiet
mg_dovecot_start DST --users "user1@example.test user2@example.test user3@example.test"
SSL_CERT_FILE=$MG_TEST_CA
MIGSH_HOME=$MG_TMP/home
export SSL_CERT_FILE MIGSH_HOME
mg_on_exit "\"$D\" service-stop 10 >/dev/null 2>&1 || :"

run() { "$D" "$@" || mg_fail "engine_driver $* failed"; }

count_tree() {
	n=0
	for d in "$1" "$1"/.[!.]*; do
		[ -d "$d/cur" ] || [ -d "$d/new" ] || continue
		n=$((n + $(mg_maildir_count "$d")))
	done
	echo "$n"
}

run endpoint Src 127.0.0.1 "$SRC_IMAP_PORT" Tls
run endpoint DstAuthz 127.0.0.1 "$DST_IMAP_PORT" Tls mailadmin "$MG_TEST_MASTER_PASSWORD"
run endpoint DstMaster 127.0.0.1 "$DST_IMAP_PORT" Tls mailadmin "$MG_TEST_MASTER_PASSWORD" master
run endpoint DstBad 127.0.0.1 "$DST_IMAP_PORT" Tls mailadmin not-the-password

printf 'EmailAddress,UserName,Password\nuser1@example.test,user1,%s\n' "$MG_TEST_PASSWORD" >"$MG_TMP/t1.csv"
printf 'EmailAddress,UserName,Password\nuser2@example.test,user2,%s\n' "$MG_TEST_PASSWORD" >"$MG_TMP/t2.csv"
printf 'EmailAddress,UserName,Password\nuser3@example.test,user3,%s\n' "$MG_TEST_PASSWORD" >"$MG_TMP/t3.csv"

run batch T1 Src "$MG_TMP/t1.csv" autostart target=DstAuthz notify=user1@example.test >/dev/null
run batch T2 Src "$MG_TMP/t2.csv" autostart target=DstMaster >/dev/null
run batch T3 Src "$MG_TMP/t3.csv" autostart target=DstBad >/dev/null
for b in T1 T2; do
	st=$("$D" wait "$b" 180 Synced SyncedWithErrors Failed) || mg_fail "$b did not finish"
	[ "$st" = Synced ] || { "$D" users "$b" >&2; mg_fail "$b is $st, expected Synced"; }
done
st=$("$D" wait T3 180 Synced SyncedWithErrors Failed) || mg_fail "T3 did not finish"
[ "$st" = Failed ] || mg_fail "T3 (wrong target admin password) is $st, expected Failed"
"$D" users T3 | grep -q ' Failed .*error=.*\(auth\|Auth\|login\|password\)' || mg_fail "T3's user error does not name the login failure"

field() { "$D" users "$1" | sed -n "s/.* $2=\([0-9]*\) .*/\1/p" | head -n 1; }
src1=$(count_tree "$SRC_MAIL/user1")
src2=$(count_tree "$SRC_MAIL/user2")
dst1=$(count_tree "$DST_MAIL/user1@example.test")
dst2=$(count_tree "$DST_MAIL/user2@example.test")
# the target refuses some corpus traps (e.g. the empty message): those are
# reported as skipped bad items, everything else must be there
syn1=$(field T1 synced); skp1=$(field T1 skipped)
syn2=$(field T2 synced); skp2=$(field T2 skipped)
[ $((syn1 + skp1)) = "$src1" ] || mg_fail "T1: synced $syn1 + skipped $skp1 != $src1 source messages"
[ $((syn2 + skp2)) = "$src2" ] || mg_fail "T2: synced $syn2 + skipped $skp2 != $src2 source messages"
# user1 also received the batch report (one message) in its INBOX
[ "$dst1" = $((syn1 + 1)) ] || mg_fail "authzid target: $syn1 synced (+1 report), $dst1 at the target"
[ "$dst2" = "$syn2" ] || mg_fail "master-user target: $syn2 synced, $dst2 at the target"
grep -l -r 'filename="MigrationErrors.csv"' "$DST_MAIL/user1@example.test" >/dev/null || mg_fail "the report was not appended at the target"

# a re-sync copies nothing new
run syncnow T2
"$D" wait T2 120 Synced >/dev/null || mg_fail "T2 incremental did not finish"
[ "$(count_tree "$DST_MAIL/user2@example.test")" = "$syn2" ] || mg_fail "an incremental sync duplicated messages at the target"

run service-stop 10
exit 0
