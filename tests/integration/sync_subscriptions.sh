#!/bin/sh
# sync_subscriptions.sh - the destination's subscriptions are the source's:
# nested folders subscribed at a Dovecot source (and some left unsubscribed)
# are migrated into the local store - whose subscriptions file Dovecot 2.3
# must read as it is (its own format, no entry dropped as invalid) - and into
# a target IMAP account (SUBSCRIBE); LSUB at the destination then lists
# exactly what LSUB lists at the source.  (Subscriptions changed at the
# source between passes, a folder not migrated, a source refusing LSUB: the
# unit test tests/unit/test_sync_mem.c.)
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

sync_setup subs "user1 user2"
printf 'From: a@example.com\r\nSubject: hello\r\n\r\nx\r\n' >"$W/m.eml"
for f in INBOX L1 L1/L2 L1/L2/L3 Other Other/Sub Unsub 'Entw&APw-rfe' 'Entw&APw-rfe/Zwei'; do
	mg_maildir_add SRC user1 "$f" "$W/m.eml" S >/dev/null
done

imap() { # PORT USER COMMAND...: one session, its output
	imap_session "$@"
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

echo "sync_subscriptions: ok"
