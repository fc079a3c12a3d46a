#!/bin/sh
# sync_tls_cuts.sh - a TLS (implicit TLS, port 993 style) source connection
# cut at random points - during the handshake, the login, the listing and
# the message bodies, by a close or a reset - is retried automatically like
# a plain one, and the user ends with an exact copy.  (OpenSSL 3 reports a
# peer that vanishes without close_notify as an SSL error; it must still
# count as an end of stream, not as a permanent TLS failure.)
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

CUTPROXY=$top_builddir/tests/lib/mg-cutproxy
[ -x "$CUTPROXY" ] || mg_fail "fault proxy not built: $CUTPROXY (run make check)"

mg_dovecot_start SRC --users "user1"
mg_dovecot_start DST --users "user1"
mg_dovecot_load_corpus SRC --seed 16 --messages 300
[ -n "$SRC_IMAPS_PORT" ] || mg_fail "the source has no implicit-TLS port"
export SSL_CERT_FILE="$MG_TEST_CA"

# SEED:CUTS:RETRIES:MAXBYTES - four cuts anywhere in the transfer, then clean
# connections, with 5 retries
for run in 1:4:5:40000000 2:4:5:40000000 3:4:5:40000000; do
	set -- $(echo "$run" | tr ':' ' ')
	seed=$1 cuts=$2 retries=$3 maxb=$4
	pport=$("$top_builddir/tests/lib/mg-freeport")
	"$CUTPROXY" -l "$pport" -c "$SRC_IMAPS_PORT" -n "$cuts" -m "$maxb" -s "$seed" 2>"$MG_TMP/proxy$seed.log" &
	proxy=$!
	"$top_builddir/tests/lib/mg-waitport" "$pport" >/dev/null 2>&1 || mg_fail "fault proxy did not start"
	rm -rf "${DST_MAIL:?}/user1" "$MG_TMP/state$seed"
	rc=0
	"$SYNC_DRIVER" --src-host localhost --src-port "$pport" --security Ssl --user user1 --pass-env MG_PW \
		--maildir "$DST_MAIL/user1" --state "$MG_TMP/state$seed" --retries "$retries" --log \
		>"$MG_TMP/t$seed" 2>"$MG_TMP/t$seed.err" || rc=$?
	kill "$proxy" 2>/dev/null || :
	wait "$proxy" 2>/dev/null || :
	[ "$rc" -eq 0 ] || mg_fail "seed $seed: the sync did not survive cut TLS connections: $(cat "$MG_TMP/t$seed" \
		"$MG_TMP/proxy$seed.log"; tail -n 5 "$MG_TMP/t$seed.err")"
	n=$(grep -c "retry [0-9] of $retries" "$MG_TMP/t$seed.err" || :)
	[ "$n" -ge 1 ] || mg_fail "seed $seed: no retry was logged: $(cat "$MG_TMP/t$seed.err" "$MG_TMP/proxy$seed.log")"
	mg_log "seed $seed: $n cut(s) retried: $(grep -o 'cut after.*' "$MG_TMP/proxy$seed.log" | tr '\n' ';')"
	mg__chown "$DST_MAIL/user1"
	compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
		--b-port "$DST_IMAP_PORT" --b-user user1 --b-pass-env MG_PW --map "Junk Email=Junk"
done
mg_log "cut TLS connections: retried, copies exact"
