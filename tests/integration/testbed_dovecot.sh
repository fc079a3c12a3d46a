#!/bin/sh
# testbed_dovecot.sh - the Dovecot test bed itself works: a source and a target
# instance start on free loopback ports; logins work over plain IMAP with
# STARTTLS and over implicit TLS with the test CA; the master user logs in as
# another user; the wrong-host and expired certificates are rejected by a
# verifying client; --no-starttls really offers no STARTTLS; corpus mail is
# served; a message added at the source while the server runs shows up; and no
# Dovecot process of the test survives mg_dovecot_stop_all.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"

mg_dovecot_start SRC --users "user1 user2"
mg_dovecot_start DST --users "user1 user2"
[ "$SRC_IMAP_PORT" != "$DST_IMAP_PORT" ] || mg_fail "two instances got the same port"
for p in "$SRC_IMAP_PORT" "$SRC_IMAPS_PORT" "$DST_IMAP_PORT" "$DST_IMAPS_PORT"; do
	[ "$p" -ge 1024 ] || mg_fail "port $p is below 1024"
done
mg_dovecot_load_corpus SRC --seed 3 --messages 5 --quiet

# expect OUTPUT PATTERN WHAT: grep -E PATTERN in OUTPUT or fail naming WHAT.
expect() {
	printf '%s\n' "$1" | grep -Eq "$2" || {
		printf '%s\n' "$1" >&2
		mg_fail "$3: expected /$2/"
	}
}

session() {
	printf 'a LOGIN %s %s\nb LIST "" "*"\nc EXAMINE INBOX\nz LOGOUT\n' "$1" "$2"
}

# 1. plain port + STARTTLS, verified against the test CA and host name
out=$(session user1 "$MG_TEST_PASSWORD" | mg_imap_starttls "$SRC_IMAP_PORT")
expect "$out" '^a OK' "STARTTLS login"
expect "$out" '^\* LIST .*"/" "?Archive/2019"?' "LIST shows Archive/2019 with separator /"
expect "$out" '^\* LIST .* "?Entw&APw-rfe"?' "LIST shows the non-ASCII folder in modified UTF-7"
expect "$out" '^c OK \[READ-ONLY\]' "EXAMINE is read-only"
expect "$out" '^\* [0-9]+ EXISTS' "EXAMINE reports messages"

# 2. implicit TLS
out=$(session user2 "$MG_TEST_PASSWORD" | mg_imap_tls "$SRC_IMAPS_PORT")
expect "$out" '^a OK' "implicit TLS login"
expect "$out" '^\* LIST .* "?Junk Email"?' "LIST shows 'Junk Email'"

# 3. master user: user1*mailadmin with the master password is user1
out=$(session "user1*mailadmin" "$MG_TEST_MASTER_PASSWORD" | mg_imap_tls "$SRC_IMAPS_PORT")
expect "$out" '^a OK' "master user login"
expect "$out" '^\* [0-9]+ EXISTS' "master user sees user1's INBOX"
grep -q 'Login: user=<user1>' "$SRC_LOG" || mg_fail "log shows no login as user1"

# 4. wrong passwords are refused, and never logged
out=$(session user1 wrong-password | mg_imap_tls "$DST_IMAPS_PORT")
expect "$out" '^a NO' "wrong password refused"
! grep -q "$MG_TEST_PASSWORD\|wrong-password\|$MG_TEST_MASTER_PASSWORD" "$SRC_LOG" "$DST_LOG" ||
	mg_fail "a password appears in a Dovecot log"

# 5. a message added at the source while the server runs is served
msg=$MG_TMP/new.eml
printf 'From: a@example.org\nSubject: added later\nMessage-ID: <added-later@test>\n\nhello\n' >"$msg"
path=$(mg_maildir_add SRC user2 Sent "$msg" S 202001021230)
out=$(printf 'a LOGIN user2 %s\nb EXAMINE Sent\nc UID SEARCH HEADER Message-ID added-later\nd FETCH * (FLAGS INTERNALDATE)\nz LOGOUT\n' \
	"$MG_TEST_PASSWORD" | mg_imap_tls "$SRC_IMAPS_PORT")
expect "$out" '^\* SEARCH [0-9]+' "added message found"
expect "$out" 'INTERNALDATE "02-Jan-2020 12:30:00' "added message's internal date = file mtime"
# two messages added in the same second are two messages
inbox=$(mg_maildir_folder SRC user2 INBOX)
before=$(mg_maildir_count "$inbox")
a1=$(mg_maildir_add SRC user2 INBOX "$msg")
a2=$(mg_maildir_add SRC user2 INBOX "$msg" new)
[ "$a1" != "$a2" ] && [ "$(mg_maildir_count "$inbox")" -eq $((before + 2)) ] ||
	mg_fail "mg_maildir_add twice did not give two messages"
# ... and re-flagging it at the source is seen too
path=$(mg_maildir_setflags "$path" FS)
out=$(printf 'a LOGIN user2 %s\nb EXAMINE Sent\nc UID SEARCH FLAGGED HEADER Message-ID added-later\nz LOGOUT\n' \
	"$MG_TEST_PASSWORD" | mg_imap_tls "$SRC_IMAPS_PORT")
expect "$out" '^\* SEARCH [0-9]+' "re-flagged message is \\Flagged"

# 5b. a new UIDVALIDITY (folder "recreated") is what the server reports
uv=$(mg_maildir_new_uidvalidity SRC user2 Sent)
out=$(printf 'a LOGIN user2 %s\nb STATUS Sent (UIDVALIDITY MESSAGES)\nz LOGOUT\n' \
	"$MG_TEST_PASSWORD" | mg_imap_tls "$SRC_IMAPS_PORT")
expect "$out" "^\\* STATUS Sent .*UIDVALIDITY $uv[ )]" "new UIDVALIDITY $uv served"
expect "$out" "^\\* STATUS Sent .*MESSAGES [1-9]" "messages kept under the new UIDVALIDITY"

# 5c. restart: same ports, same mail; the old master is gone
old=$SRC_PID
mg_dovecot_restart SRC
[ "$old" != "$SRC_PID" ] || mg_fail "restart kept the same master"
[ -z "$(mg_group_pids "$old")" ] || mg_fail "processes of the old master survived the restart"
out=$(session user1 "$MG_TEST_PASSWORD" | mg_imap_tls "$SRC_IMAPS_PORT")
expect "$out" '^c OK' "login after restart"

# 5d. kick: an open session is dropped by the server
{ printf 'a LOGIN user1 %s\nb SELECT INBOX\n' "$MG_TEST_PASSWORD"; sleep 3; printf 'z LOGOUT\n'; } |
	mg_imap_tls "$SRC_IMAPS_PORT" >"$MG_TMP/kick.out" 2>&1 &
i=0
until grep -q '^b OK' "$MG_TMP/kick.out" 2>/dev/null; do
	i=$((i + 1)); [ "$i" -lt 100 ] || mg_fail "session for the kick test did not start"; sleep 0.05
done
mg_dovecot_kick SRC user1
i=0
until grep -q '^\* BYE' "$MG_TMP/kick.out"; do
	i=$((i + 1)); [ "$i" -lt 40 ] || { cat "$MG_TMP/kick.out" >&2; mg_fail "kick did not end the session"; }
	sleep 0.05
done
grep -q '^z OK' "$MG_TMP/kick.out" && mg_fail "kicked session still answered LOGOUT"

# 6. bad certificates fail verification (what migsh must refuse without -AcceptUntrusted...)
mg_dovecot_start BADHOST --cert wronghost --users "user1"
mg_dovecot_start EXPIRED --cert expired --users "user1"
for inst in BADHOST EXPIRED; do
	eval "port=\$${inst}_IMAPS_PORT"
	if printf 'z LOGOUT\n' | mg_imap_tls "$port" >"$MG_TMP/$inst.out" 2>&1; then
		cat "$MG_TMP/$inst.out" >&2
		mg_fail "$inst certificate was accepted by a verifying client"
	fi
done
grep -qi 'hostname mismatch' "$MG_TMP/BADHOST.out" || { cat "$MG_TMP/BADHOST.out" >&2; mg_fail "wrong-host cert: no hostname mismatch"; }
grep -qi 'expired' "$MG_TMP/EXPIRED.out" || { cat "$MG_TMP/EXPIRED.out" >&2; mg_fail "expired cert: not reported expired"; }
# ... while the good certificate verifies with no further options
out=$(printf 'z LOGOUT\n' | mg_imap_tls "$DST_IMAPS_PORT")
expect "$out" 'Verify return code: 0|^\* OK' "good certificate verifies"

# 7. --no-starttls: plain only, no STARTTLS capability
mg_dovecot_start PLAIN --no-starttls --users "user1"
[ -z "$PLAIN_IMAPS_PORT" ] || mg_fail "--no-starttls instance exported an IMAPS port"
out=$(printf 'a CAPABILITY\nb LOGIN user1 %s\nc LIST "" "*"\nz LOGOUT\n' "$MG_TEST_PASSWORD" |
	mg_imap_plain "$PLAIN_IMAP_PORT")
expect "$out" '^b OK' "plain login without TLS"
expect "$out" '^\* LIST .*INBOX' "plain LIST"
printf '%s\n' "$out" | grep -q STARTTLS && mg_fail "--no-starttls instance offers STARTTLS"
if printf 'z LOGOUT\n' | mg_imap_starttls "$PLAIN_IMAP_PORT" >"$MG_TMP/plain.out" 2>&1 &&
	grep -q '^z OK' "$MG_TMP/plain.out"; then
	cat "$MG_TMP/plain.out" >&2
	mg_fail "--no-starttls instance accepted STARTTLS"
fi

# 7b. Courier-style view: separator '.', prefix INBOX., '/' allowed in names; COMPRESS
mg_dovecot_start DOT --separator . --compress --users "user1"
mg_dovecot_load_corpus DOT --seed 3 --messages 2 --quiet
mg_maildir_add DOT user1 'a\2fb' "$msg" S >/dev/null
mg_maildir_add DOT user1 'x.y' "$msg" S >/dev/null
out=$(printf 'a LOGIN user1 %s\nb LIST "" "*"\nz LOGOUT\n' "$MG_TEST_PASSWORD" | mg_imap_starttls "$DOT_IMAP_PORT")
expect "$out" '^\* LIST .* "\." "?INBOX\.Archive\.2019"?' "'.' view of Archive/2019"
expect "$out" '^\* LIST .* "\." "?INBOX\.a/b"?' "folder with '/' in its name"
expect "$out" '^\* LIST .* "\." "?INBOX\.x\.y"?' "x.y is two levels in the '.' view"
expect "$out" 'COMPRESS=DEFLATE' "--compress offers COMPRESS=DEFLATE"
[ -d "$DOT_MAIL/user1/.x\2ey" ] || [ -d "$DOT_MAIL/user1/.x.y" ] || mg_fail "x.y not on disk"

# 8. the silent listener accepts and says nothing
mg_silent_listener SILENT 20
out=$(timeout 2 openssl s_client -connect "127.0.0.1:$SILENT" -quiet </dev/null 2>&1 || :)
printf '%s' "$out" | grep -q '^\* OK' && mg_fail "silent listener sent a greeting"
kill "$SILENT_PID"

# 9. stopping leaves nothing behind
pids="$old $SRC_PID $DST_PID $BADHOST_PID $EXPIRED_PID $PLAIN_PID $DOT_PID"
mg_dovecot_stop_all
for p in $pids; do
	left=$(mg_group_pids "$p")
	if [ -n "$left" ] || mg_alive "$p"; then
		ps -o pid,pgid,stat,args -p "$(echo $p $left | tr " " ,)" >&2 || :
		mg_fail "processes of Dovecot group $p survived mg_dovecot_stop_all"
	fi
done
ps -e -o args= | grep -F "$MG_TMP" | grep -v grep && mg_fail "a process still uses the test directory"
echo "testbed_dovecot: all checks passed"
