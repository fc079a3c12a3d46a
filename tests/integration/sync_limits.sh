#!/bin/sh
# sync_limits.sh - limits and filters as Exchange applies them: a message
# over 35 MB is skipped and reported as a LargeItem (and fails the user when
# LargeItemLimit is exceeded); when allowed, it is copied streaming, without
# holding it in memory; -ContentFilter date ranges count filtered items.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

BIG=36700161    # 35 MiB + 1
mg_dovecot_start SRC --users "user1"
mg_dovecot_start DST --users "user1"
mg_dovecot_load_corpus SRC --seed 4 --messages 20 --big-size $BIG --big-count 1

sync_run "$MG_TMP/l1" --user user1 --pass-env MG_PW --maildir "$MG_TMP/md1" --state "$MG_TMP/s1" \
	|| mg_fail "sync failed: $(cat "$MG_TMP/l1")"
expect_stat "$MG_TMP/l1" items_large 1
grep -q "^skipped: kind=LargeItem folder=INBOX uid=[0-9]* size=$BIG .*larger than the limit" "$MG_TMP/l1" \
	|| mg_fail "large item not reported: $(grep skipped "$MG_TMP/l1")"
if [ -n "$(find "$MG_TMP/md1" -type f -size +35M)" ]; then
	mg_fail "the large message was copied"
fi

# LargeItemLimit 0: the user fails with LimitsExceeded
if sync_run "$MG_TMP/l2" --user user1 --pass-env MG_PW --maildir "$MG_TMP/md2" --state "$MG_TMP/s2" \
	--large-limit 0; then
	mg_fail "LargeItemLimit 0 did not fail the user"
fi
grep -q "^error: LimitsExceeded: LargeItemLimitExceeded" "$MG_TMP/l2" || mg_fail "wrong error: $(cat "$MG_TMP/l2")"

# allowed: copied exactly, streamed (peak RSS far below the message size)
rm -rf "${DST_MAIL:?}/user1"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f "%M" -o "$MG_TMP/rss" "$SYNC_DRIVER" --src-port "$SRC_IMAP_PORT" --user user1 \
		--pass-env MG_PW --maildir "$DST_MAIL/user1" --state "$MG_TMP/s3" --large-bytes 40000000 \
		>"$MG_TMP/l3" 2>&1 || mg_fail "sync with a raised limit failed"
	rss=$(tail -n 1 "$MG_TMP/rss")
	mg_log "peak RSS copying a $BIG-byte message: $rss KB"
	if grep -q "^SAN_CFLAGS = .*sanitize" "$top_builddir/Makefile" 2>/dev/null; then
		mg_log "sanitizer build: peak RSS not checked"
	elif [ "$rss" -ge 24000 ]; then
		mg_fail "peak RSS $rss KB: the message was not streamed"
	fi
else
	sync_run "$MG_TMP/l3" --user user1 --pass-env MG_PW --maildir "$DST_MAIL/user1" --state "$MG_TMP/s3" \
		--large-bytes 40000000 || mg_fail "sync with a raised limit failed"
	mg_log "no /usr/bin/time: peak memory not measured"
fi
expect_stat "$MG_TMP/l3" items_large 0
mg__chown "$DST_MAIL/user1"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user1 --b-pass-env MG_PW --map "Junk Email=Junk"

# -ContentFilter: only mail received in 2019 (Archive/2019 holds 2019 mail)
sync_run "$MG_TMP/l4" --user user1 --pass-env MG_PW --maildir "$MG_TMP/md4" --state "$MG_TMP/s4" \
	--after 1546300799 --before 1577836800 || mg_fail "filtered sync failed"
copied=$(stat_of "$MG_TMP/l4" items_copied)
filtered=$(stat_of "$MG_TMP/l4" items_filtered)
total=$(stat_of "$MG_TMP/l4" items_in_source)
large=$(stat_of "$MG_TMP/l4" items_large)
[ "$filtered" -gt 0 ] && [ "$copied" -gt 0 ] || mg_fail "filter: copied $copied, filtered $filtered"
[ $((copied + filtered + large)) -eq "$total" ] || mg_fail "filter: $copied + $filtered + $large != $total"
n2019=$(ls "$MG_TMP/md4/.Archive.2019/cur" | wc -l)
[ "$n2019" -eq "$(ls "$SRC_MAIL/user1/.Archive.2019/cur" | wc -l)" ] || mg_fail "2019 mail not all copied"
# the per-mailbox item limit counts the whole mailbox, newest first (as in
# Exchange), not folder by folder in the order they are copied (Archive
# before INBOX): with room for 4, INBOX's four messages from 2021-2022 are
# copied and Archive's three from 2019 are not
TZ=UTC
export TZ
mg_dovecot_start LIM --users "lim"
for d in 202101010000 202102010000 202103010000 202206010000; do
	printf 'From: a@example.com\r\nSubject: inbox-%s\r\n\r\nx\r\n' "$d" >"$MG_TMP/m.eml"
	mg_maildir_add LIM lim INBOX "$MG_TMP/m.eml" S "$d" >/dev/null
done
for d in 201901010000 201902010000 201903010000; do
	printf 'From: a@example.com\r\nSubject: archive-%s\r\n\r\nx\r\n' "$d" >"$MG_TMP/m.eml"
	mg_maildir_add LIM lim Archive "$MG_TMP/m.eml" S "$d" >/dev/null
done
sync_run "$MG_TMP/l5" --src-port "$LIM_IMAP_PORT" --user lim --pass-env MG_PW --maildir "$MG_TMP/md5" \
	--state "$MG_TMP/s5" --max-items 4 || mg_fail "sync with an item limit failed: $(cat "$MG_TMP/l5" "$MG_TMP/l5.err")"
expect_stat "$MG_TMP/l5" items_copied 4
expect_stat "$MG_TMP/l5" items_over_limit 3
[ "$(grep -c '^skipped: kind=OverItemLimit folder=Archive ' "$MG_TMP/l5")" -eq 3 ] ||
	mg_fail "the three 2019 Archive messages are not the ones over the limit: $(grep skipped "$MG_TMP/l5")"
[ "$(grep -rl 'Subject: inbox-' "$MG_TMP/md5/cur" | wc -l)" -eq 4 ] || mg_fail "the INBOX messages were not all copied"
[ -z "$(grep -rl 'Subject: archive-' "$MG_TMP/md5" 2>/dev/null)" ] || mg_fail "an old Archive message was copied"
grep -q 'the newest 4 across all folders are migrated' "$MG_TMP/l5.err" "$MG_TMP/l5" ||
	mg_fail "the item limit is not explained in the log"
# new mail later is the newest: copied; what was copied stays
printf 'From: a@example.com\r\nSubject: inbox-new\r\n\r\nx\r\n' >"$MG_TMP/m.eml"
mg_maildir_add LIM lim INBOX "$MG_TMP/m.eml" S 202301010000 >/dev/null
sync_run "$MG_TMP/l6" --src-port "$LIM_IMAP_PORT" --user lim --pass-env MG_PW --maildir "$MG_TMP/md5" \
	--state "$MG_TMP/s5" --max-items 4 || mg_fail "incremental sync with an item limit failed"
expect_stat "$MG_TMP/l6" items_copied 1
[ "$(grep -rl 'Subject: inbox-' "$MG_TMP/md5/cur" | wc -l)" -eq 5 ] || mg_fail "the new message was not copied, or copies went away"
mg_log "limits and filters verified"
