#!/bin/sh
# sync_subscriptions.sh - the destination's subscriptions are the source's:
# nested folders subscribed at a Dovecot source (and some left unsubscribed)
# are migrated into the local store - whose subscriptions file Dovecot 2.3
# must read as it is (its own format, no entry dropped as invalid) - and into
# a target IMAP account (SUBSCRIBE); LSUB at the destination then lists
# exactly what LSUB lists at the source.  A second pass after the source
# unsubscribes a folder removes it from the local store's subscriptions.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

mg_dovecot_start SRC --users "user1"
mg_dovecot_start DST --users "user1 user2"
W=$MG_TMP/subs
mkdir -p "$W"
printf 'From: a@example.com\r\nSubject: hello\r\n\r\nx\r\n' >"$W/m.eml"
for f in INBOX L1 L1/L2 L1/L2/L3 Other Other/Sub Unsub 'Entw&APw-rfe' 'Entw&APw-rfe/Zwei'; do
	mg_maildir_add SRC user1 "$f" "$W/m.eml" S >/dev/null
done

imap() { # PORT USER COMMAND...: one session, its output
	_port=$1 _user=$2
	shift 2
	{
		printf 'a LOGIN %s %s\n' "$_user" "$MG_TEST_PASSWORD"
		_n=0
		for _c in "$@"; do _n=$((_n + 1)); printf 'c%s %s\n' "$_n" "$_c"; done
		printf 'z LOGOUT\n'
	} | mg_imap_starttls "$_port"
}
lsub() { # PORT USER: the subscribed names, sorted, one a line
	imap "$1" "$2" 'LSUB "" "*"' | tr -d '\r' | sed -n 's/^\* LSUB ([^)]*) [^ ]* //p' | sed 's/^"\(.*\)"$/\1/' | sort
}
imap "$SRC_IMAP_PORT" user1 'SUBSCRIBE INBOX' 'SUBSCRIBE L1' 'SUBSCRIBE L1/L2' 'SUBSCRIBE L1/L2/L3' \
	'SUBSCRIBE Other/Sub' 'SUBSCRIBE Entw&APw-rfe/Zwei' >"$W/sub.out"
grep -q '^c6 OK' "$W/sub.out" || mg_fail "cannot subscribe at the source: $(cat "$W/sub.out")"
lsub "$SRC_IMAP_PORT" user1 >"$W/src.lsub"
[ "$(wc -l <"$W/src.lsub")" -eq 6 ] || mg_fail "the source lists $(wc -l <"$W/src.lsub") subscriptions, expected 6: $(cat "$W/src.lsub")"

# 1. into the local store, served by Dovecot
sync_run "$W/s1" --user user1 --pass-env MG_PW --maildir "$DST_MAIL/user1" --state "$W/st1" ||
	mg_fail "sync into the local store failed: $(cat "$W/s1" "$W/s1.err")"
head -c 5 "$DST_MAIL/user1/subscriptions" | od -c | head -n 1 | grep -q 'V  *\\t   2  *\\n  *\\n' ||
	mg_fail "the subscriptions file does not start with Dovecot's version 2 header: $(od -c "$DST_MAIL/user1/subscriptions" | head -n 3)"
mg__chown "$DST_MAIL/user1"
lsub "$DST_IMAP_PORT" user1 >"$W/dst.lsub"
cmp -s "$W/src.lsub" "$W/dst.lsub" || mg_fail "LSUB differs (local store): source: $(cat "$W/src.lsub") destination: $(cat "$W/dst.lsub")"
if grep -i 'invalid' "$DST_LOG" 2>/dev/null | grep -qi 'subscri'; then
	mg_fail "Dovecot complained about the subscriptions file: $(grep -i invalid "$DST_LOG")"
fi

# 2. into a target IMAP account: SUBSCRIBE
sync_run "$W/s2" --user user1 --pass-env MG_PW --target-port "$DST_IMAP_PORT" --target-user 'user2*mailadmin' \
	--target-pass-env MG_MPW --state "$W/st2" || mg_fail "sync into the target failed: $(cat "$W/s2" "$W/s2.err")"
lsub "$DST_IMAP_PORT" user2 >"$W/tgt.lsub"
cmp -s "$W/src.lsub" "$W/tgt.lsub" || mg_fail "LSUB differs (target): source: $(cat "$W/src.lsub") target: $(cat "$W/tgt.lsub")"

# 3. unsubscribed at the source: gone from the local store's subscriptions
imap "$SRC_IMAP_PORT" user1 'UNSUBSCRIBE L1/L2' >/dev/null
sync_run "$W/s3" --user user1 --pass-env MG_PW --maildir "$DST_MAIL/user1" --state "$W/st1" ||
	mg_fail "second sync failed: $(cat "$W/s3" "$W/s3.err")"
mg__chown "$DST_MAIL/user1"
lsub "$SRC_IMAP_PORT" user1 >"$W/src2.lsub"
lsub "$DST_IMAP_PORT" user1 >"$W/dst2.lsub"
grep -qx 'L1/L2' "$W/src2.lsub" && mg_fail "UNSUBSCRIBE at the source did not work"
cmp -s "$W/src2.lsub" "$W/dst2.lsub" || mg_fail "LSUB differs after an unsubscribe: source: $(cat "$W/src2.lsub") destination: $(cat "$W/dst2.lsub")"
echo "sync_subscriptions: ok"
