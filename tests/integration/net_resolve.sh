#!/bin/bash
# net_resolve.sh - the name lookup under mg_sock_connect, without a network:
# a name from /etc/hosts (localhost) is looked up and connected to; where
# the DNS server never answers (tests/lib/hang_dns.sh: a namespace of its
# own) the lookup ends at the connect timeout with a ResolveTimeout error
# that names the host, in the engine (net_driver, 1.5 s) and in
# Test-MigrationServerAvailability (its 10 s connect timeout), long before
# glibc would give up (30 s); a literal address (127.0.0.1, ::1) is never
# looked up: no query reaches the DNS server.
set -u
: "${MIGSH:?MIGSH must point at the built migsh}"
D=${top_builddir:-.}/tests/integration/net_driver
T=$(mktemp -d "${TMPDIR:-/tmp}/migsh-resolve.XXXXXX")
HANG_DIR=$T/dns
. "${top_srcdir:-.}/tests/lib/hang_dns.sh"
trap 'mg_hang_dns_stop; rm -rf "$T"' EXIT
export MIGSH_HOME="$T/home"
n=0
fails=0
[ -x "$D" ] || { echo "net_resolve.sh: $D is not built (make check builds it)" >&2; exit 1; }

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	sed 's/^/# got: /' "$T/out"
	[ -s "$T/err" ] && sed 's/^/# stderr: /' "$T/err"
	fails=$((fails + 1))
}
field() { sed -n "s/^$1=//p" "$T/out" | head -n 1; }
ms() { echo $(($(date +%s%N) / 1000000)); }

# a port of 127.0.0.1 where nothing listens
PORT=$(${top_builddir:-.}/tests/lib/mg-freeport)

"$D" probe --host localhost --port "$PORT" --security None --timeout-ms 5000 >"$T/out" 2>"$T/err"
if [ "$(field ErrorId)" = ConnectionRefused ]; then
	ok "localhost is looked up and connected to (refused: nothing listens)"
else
	not_ok "localhost is looked up and connected to (refused: nothing listens)"
fi

if ! mg_hang_dns_init "$HANG_DIR"; then
	echo "# SKIP the cases with a DNS server that never answers: $HANG_WHY"
	echo "1..$n"
	[ "$fails" -eq 0 ]
	exit
fi

t0=$(ms)
$HANG_CMD "$D" probe --host imap.hang.test --port 993 --security None --timeout-ms 1500 >"$T/out" 2>"$T/err"
took=$(($(ms) - t0))
msg=$(field Message)
if [ "$(field ErrorId)" = ResolveTimeout ] && [ "$(field Category)" = OperationTimeout ] &&
   [ "$took" -ge 1400 ] && [ "$took" -lt 6000 ] && [ -e "$HANG_DIR/dns.query" ] &&
   case $msg in *'"imap.hang.test"'*'1500 ms'*) true ;; *) false ;; esac; then
	ok "a lookup the DNS server never answers ends at the connect timeout (${took} ms), naming the host"
else
	echo "# took ${took} ms"
	not_ok "a lookup the DNS server never answers ends at the connect timeout, naming the host"
fi
mg_hang_dns_stop

t0=$(ms)
$HANG_CMD "$MIGSH" -c 'Test-MigrationServerAvailability -IMAP -RemoteServer imap.hang.test -Port 993 -Security None | Format-List Result, Message' >"$T/out" 2>"$T/err"
took=$(($(ms) - t0))
if grep -q '^Result *: Failed' "$T/out" && grep -q 'imap.hang.test.*timed out' "$T/out" && [ "$took" -lt 20000 ]; then
	ok "Test-MigrationServerAvailability: Failed, the lookup of the host timed out (${took} ms)"
else
	echo "# took ${took} ms"
	not_ok "Test-MigrationServerAvailability: Failed, the lookup of the host timed out"
fi
mg_hang_dns_stop

for addr in 127.0.0.1 ::1; do
	$HANG_CMD "$D" probe --host "$addr" --port "$PORT" --security None --timeout-ms 5000 >"$T/out" 2>"$T/err"
	# refused, or unreachable where IPv6 is off: any failure but of a lookup
	id=$(field ErrorId)
	if [ -n "$id" ] && [ "$id" != ResolveTimeout ] && [ "$id" != HostNotFound ] && [ ! -e "$HANG_DIR/dns.query" ]; then
		ok "the literal address $addr is connected to without a lookup"
	else
		[ -e "$HANG_DIR/dns.query" ] && echo "# the DNS server got a query"
		not_ok "the literal address $addr is connected to without a lookup"
	fi
	mg_hang_dns_stop
done

echo "1..$n"
[ "$fails" -eq 0 ]
