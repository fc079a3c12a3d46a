#!/bin/sh
# net_fetch.sh - the IMAP client against real Dovecot: LIST with separator,
# SPECIAL-USE and non-ASCII names; EXAMINE read-only with UIDVALIDITY and
# HIGHESTMODSEQ; every message of every folder fetched by pipelined, streamed
# UID FETCH BODY.PEEK[] with exactly RFC822.SIZE bytes each; one message
# compared byte for byte; nothing marked \Seen; the read-only guard refuses
# SELECT/STORE/CREATE/APPEND on a source connection; admin-acts-as-user logins
# (user*mailadmin and PLAIN authorization identity); APPEND with flags and
# internal date round-trips byte-exact with APPENDUID, singly and pipelined;
# and fetch throughput over plain and TLS is measured and printed.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"

D=$top_builddir/tests/integration/net_driver
[ -x "$D" ] || mg_fail "$D is not built (make check builds it)"

mg_dovecot_start SRC --users "user1 user2"
mg_dovecot_start DST --users "user1"
mg_dovecot_load_corpus SRC --seed 11 --messages 200 --quiet
PW=$MG_TEST_PASSWORD
MPW=$MG_TEST_MASTER_PASSWORD
export PW MPW
SSL_CERT_FILE=$MG_TEST_CA
export SSL_CERT_FILE

out=""
run() { out=$("$D" "$@") || { printf '%s\n' "$out" >&2; mg_fail "net_driver $* failed"; }; }
field() { printf '%s\n' "$out" | sed -n "s/^$1=//p" | head -n 1; }
has() { printf '%s\n' "$out" | grep -q -- "$1" || { printf '%s\n' "$out" >&2; mg_fail "$2: expected /$1/"; }; }

# 1. LIST: separator, non-ASCII name decoded, special-use flags
run list --host 127.0.0.1 --port "$SRC_IMAPS_PORT" --security Ssl --user user1 --pass-env PW
has '^Separator=/' "hierarchy separator"
has '^Mailbox=Entwürfe|Entw&APw-rfe|/|' "modified UTF-7 name decoded, wire name kept"
has '^Mailbox=Archive/2019|Archive/2019|/|' "nested folder"
has '^Mailbox=Archive|Archive|/|.*HasChildren' "\\HasChildren"
has '^ServerId=.*name=Dovecot' "ID"

# 2. a known message, byte for byte (CRLF line ends, 8-bit, a NUL-free binary-ish body)
msg=$MG_TMP/known.eml
printf 'From: a@example.org\r\nSubject: known \303\244\r\nMessage-ID: <known@test>\r\n\r\nline 1\r\n\tline 2 \r\n\r\n' >"$msg"
mg_maildir_add SRC user2 INBOX "$msg" "S" 202001021230 >/dev/null
mkdir -p "$MG_TMP/out2"
run fetch --host 127.0.0.1 --port "$SRC_IMAP_PORT" --security Tls --user user2 --pass-env PW --mailbox INBOX --out "$MG_TMP/out2"
[ "$(field SizeMismatch)" = 0 ] || mg_fail "a body differed from its RFC822.SIZE"
found=""
for f in "$MG_TMP"/out2/*.eml; do
	if cmp -s "$f" "$msg"; then found=$f; fi
done
[ -n "$found" ] || mg_fail "the known message was not fetched byte-exact"

# 3. all folders of user1, streamed and pipelined; sizes exact; read-only; nothing marked \Seen
seen_before=$(find "$SRC_MAIL/user1" -path '*/cur/*' -name '*:2,*S*' | wc -l)
run fetch --host 127.0.0.1 --port "$SRC_IMAP_PORT" --security None --user user1 --pass-env PW --all
has '^Folder=INBOX .*ReadOnly=true' "EXAMINE is read-only"
has '^Folder=INBOX .*UidValidity=[1-9]' "UIDVALIDITY"
has '^Folder=INBOX .*HighestModSeq=[1-9]' "HIGHESTMODSEQ with CONDSTORE"
[ "$(field SizeMismatch)" = 0 ] || mg_fail "some bodies differed from RFC822.SIZE"
[ "$(field Missing)" = 0 ] || mg_fail "some messages were not returned"
files=$(find "$SRC_MAIL/user1" -path '*/cur/*' -type f | wc -l)
new=$(find "$SRC_MAIL/user1" -path '*/new/*' -type f | wc -l)
[ "$(field Messages)" -eq $((files + new)) ] || mg_fail "fetched $(field Messages) messages, the store holds $((files + new))"
seen_after=$(find "$SRC_MAIL/user1" -path '*/cur/*' -name '*:2,*S*' | wc -l)
[ "$seen_before" -le "$seen_after" ] && [ "$(find "$SRC_MAIL/user1" -path '*/new/*' -type f | wc -l)" -eq "$new" ] ||
	mg_fail "fetching changed the source"
[ "$seen_after" -eq "$seen_before" ] || mg_fail "fetching marked messages \\Seen ($seen_before -> $seen_after)"

# 3b. metadata: flags, keywords, internal date, sizes, mod-sequences; CHANGEDSINCE sees a re-flag
run meta --host 127.0.0.1 --port "$SRC_IMAP_PORT" --security None --user user2 --pass-env PW --mailbox INBOX
n=$(printf '%s\n' "$out" | grep -c '^Meta=')
[ "$n" -eq "$(field Exists)" ] && [ "$n" -eq "$(field SearchAll)" ] && [ "$n" -eq "$(field StatusMessages)" ] ||
	mg_fail "metadata for $n messages, EXAMINE says $(field Exists), SEARCH $(field SearchAll)"
has '^Meta=.*raw:02-Jan-2020 12:30:00 [+-][0-9]*' "internal date of the known message"
has '^Meta=.*modseq:[1-9]' "MODSEQ per message"
has '^Meta=.*flags:.*\\Seen' "flags"
hms=$(field HighestModSeq)
[ "$hms" -gt 0 ] || mg_fail "no HIGHESTMODSEQ"
kpath=$(mg_maildir_find SRC user2 INBOX 'Message-ID: <known@test>' | head -n 1)
[ -n "$kpath" ] || mg_fail "known message file not found"
mg_maildir_setflags "$kpath" FS >/dev/null
run meta --host 127.0.0.1 --port "$SRC_IMAP_PORT" --security None --user user2 --pass-env PW --mailbox INBOX \
	--changedsince "$hms"
[ "$(printf '%s\n' "$out" | grep -c '^Meta=')" -eq 1 ] || mg_fail "CHANGEDSINCE did not return exactly the re-flagged message"
has '^Meta=.*flags:.*\\Flagged' "re-flag seen through CHANGEDSINCE"

# 4. the read-only guard
run guard --host 127.0.0.1 --port "$SRC_IMAP_PORT" --security None --user user1 --pass-env PW
[ "$(field Refused)" = 4 ] || mg_fail "the read-only guard let a modifying command through"

# 5. admin acts as user: Dovecot master user name format, and PLAIN authorization identity
run fetch --host 127.0.0.1 --port "$SRC_IMAPS_PORT" --security Ssl --user 'user2*mailadmin' --pass-env MPW --mailbox INBOX
[ "$(field Messages)" -gt 0 ] || mg_fail "master user saw no mail"
run fetch --host 127.0.0.1 --port "$SRC_IMAPS_PORT" --security Ssl --user mailadmin --authz user2 --pass-env MPW --mailbox INBOX
[ "$(field Messages)" -gt 0 ] || mg_fail "PLAIN authzid login saw no mail"

# 6. APPEND to a target: flags, internal date, APPENDUID, byte-exact round trip
run append --host 127.0.0.1 --port "$DST_IMAPS_PORT" --security Ssl --user user1 --pass-env PW \
	--mailbox "Imported/Entwürfe" --file "$msg" --flags '\Seen $Forwarded \Recent' --date '02-Jan-2020 12:30:00 +0100'
[ "$(field AppendUid)" -ge 1 ] || mg_fail "no APPENDUID"
run append --host 127.0.0.1 --port "$DST_IMAPS_PORT" --security Ssl --user user1 --pass-env PW \
	--mailbox "Imported/Entwürfe" --file "$msg" --count 50
[ "$(field Appended)" = 50 ] || mg_fail "pipelined APPEND stored $(field Appended) of 50"
mkdir -p "$MG_TMP/out3"
run fetch --host 127.0.0.1 --port "$DST_IMAPS_PORT" --security Ssl --user user1 --pass-env PW \
	--mailbox "Imported/Entw&APw-rfe" --out "$MG_TMP/out3"
[ "$(field Messages)" = 51 ] || mg_fail "target holds $(field Messages) messages, expected 51"
for f in "$MG_TMP"/out3/*.eml; do cmp -s "$f" "$msg" || mg_fail "appended message $f differs"; done
d=$(mg_maildir_folder DST user1 "Imported/Entw&APw-rfe")
ls "$d/cur" | grep -q ':2,[A-Z]*S' || mg_fail "\\Seen not stored"
grep -q '\$Forwarded' "$d/dovecot-keywords" || mg_fail "keyword \$Forwarded not stored"
first=$(ls "$d/cur" | sort | head -n 1)
[ "$(date -u -r "$d/cur/$first" +%Y%m%d%H%M)" = 202001021130 ] || mg_fail "internal date not kept"

# 7. COMPRESS=DEFLATE when offered and asked for: same bytes, fewer on the wire
mg_dovecot_start ZIP --compress --users "user1"
mg_dovecot_load_corpus ZIP --seed 11 --messages 60 --quiet
mg_maildir_add ZIP user1 INBOX "$msg" "S" 202001021230 >/dev/null
mkdir -p "$MG_TMP/out4"
run fetch --host 127.0.0.1 --port "$ZIP_IMAPS_PORT" --security Ssl --user user1 --pass-env PW --all --compress --out "$MG_TMP/out4"
[ "$(field Compressed)" = true ] || mg_fail "COMPRESS=DEFLATE was not used"
[ "$(field SizeMismatch)" = 0 ] && [ "$(field Missing)" = 0 ] || mg_fail "compressed fetch lost bytes"
zmsgs=$(field Messages)
ls "$MG_TMP"/out4/*.eml | while read -r f; do cmp -s "$f" "$msg" && echo same; done | grep -q same ||
	mg_fail "the known message was not fetched byte-exact over COMPRESS"
run append --host 127.0.0.1 --port "$ZIP_IMAP_PORT" --security Tls --user user1 --pass-env PW \
	--mailbox "Zipped" --file "$msg" --count 20 --compress
[ "$(field Appended)" = 20 ] || mg_fail "pipelined APPEND over COMPRESS stored $(field Appended) of 20"
run fetch --host 127.0.0.1 --port "$ZIP_IMAP_PORT" --security None --user user1 --pass-env PW --all
[ "$(field Compressed)" = false ] || mg_fail "COMPRESS used without being asked for"
[ "$(field Messages)" -eq $((zmsgs + 20)) ] || mg_fail "plain fetch after COMPRESS sees $(field Messages) messages"

# 8. a Courier/Cyrus-style server: separator '.', personal namespace INBOX.
mg_dovecot_start DOT --separator . --users "user1"
mg_dovecot_load_corpus DOT --seed 11 --messages 10 --quiet
run list --host 127.0.0.1 --port "$DOT_IMAP_PORT" --security None --user user1 --pass-env PW
has '^Separator=\.' "separator ."
has '^NamespacePrefix=INBOX\.' "namespace prefix INBOX."
has '^Mailbox=INBOX.Archive.2019|INBOX.Archive.2019|\.|' "nested folder with '.'"

# 9. throughput (reported, not asserted)
for sec in "None $SRC_IMAP_PORT" "Ssl $SRC_IMAPS_PORT"; do
	set -- $sec
	run fetch --host 127.0.0.1 --port "$2" --security "$1" --user user1 --pass-env PW --all
	mg_log "fetch throughput, security $1: $(field Messages) messages, $(field Bytes) bytes in $(field Seconds) s = $(field MBps) MB/s"
done
mg_log "all fetch cases passed"
