#!/bin/sh
# sync_limits.sh - limits and filters as Exchange applies them: a message
# over 35 MB is skipped and reported as a LargeItem (and fails the user when
# LargeItemLimit is exceeded); when allowed, it is copied streaming, without
# holding it in memory; -ContentFilter date ranges count filtered items.
# (LargeItemLimit exceeded failing the user, and the per-mailbox item limit
# across folders, newest first, are unit-tested in tests/unit/test_sync_mem.c.)
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
mg_log "limits and filters verified"
