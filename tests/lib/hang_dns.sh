# hang_dns.sh - sourced by tests: run a command where every DNS lookup hangs
# for real.  The command runs in a mount and network namespace of its own
# (unshare: as root, or as root of a new user namespace), where
# /etc/resolv.conf names 127.0.0.1 (glibc's longest wait, 30 s, one try) and
# /etc/nsswitch.conf says "hosts: files dns"; tests/lib/mg-silent-dns listens
# on 127.0.0.1 port 53 there, reads the queries and answers none.  Nothing
# leaves the namespace: no network is needed, and the host's resolver is
# never touched.
#
#   mg_hang_dns_init DIR   0 when this system can do it (else HANG_WHY says why)
#   mg_hang_dns CMD ARGS   runs CMD there; once CMD has sent a query,
#                          $HANG_DIR/dns.query exists
#   $HANG_CMD CMD ARGS     the same as a plain command line (unquoted; the
#                          paths hold no blanks): `$HANG_CMD migsh ... &` makes
#                          $! migsh's own pid, for signals
#   mg_hang_dns_stop       ends the silent DNS server of the last run (call
#                          it after each run)
#
# A name for the lookups: imap.hang.test (.test is reserved, RFC 2606).

mg_hang_dns_init() {
	HANG_DIR=$1
	HANG_WHY=
	HANG_UNSHARE=
	local tool=${top_builddir:-.}/tests/lib/mg-silent-dns
	if [ ! -x "$tool" ]; then
		HANG_WHY="$tool is not built (make check builds it)"
		return 1
	fi
	if ! command -v unshare >/dev/null 2>&1; then
		HANG_WHY="unshare (util-linux) is not installed"
		return 1
	fi
	mkdir -p "$HANG_DIR"
	printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' >"$HANG_DIR/resolv.conf"
	printf 'hosts: files dns\n' >"$HANG_DIR/nsswitch.conf"
	# runs inside the namespaces: DIR TOOL CMD ARGS
	cat >"$HANG_DIR/run" <<'SH'
#!/bin/sh
d=$1 tool=$2
shift 2
mount --bind "$d/resolv.conf" /etc/resolv.conf || exit 97
if [ -e /etc/nsswitch.conf ]; then
	mount --bind "$d/nsswitch.conf" /etc/nsswitch.conf || exit 97
fi
# a name service cache daemon of the host would answer for the resolver
for c in /run/nscd /var/run/nscd; do
	[ -S "$c/socket" ] && { mount -t tmpfs tmpfs "$c" || exit 97; }
done
rm -f "$d/dns.ready" "$d/dns.query"
"$tool" 60 "$d/dns.ready" "$d/dns.query" </dev/null >/dev/null 2>"$d/dns.err" &
echo $! >"$d/dns.pid"
i=0
while [ ! -e "$d/dns.ready" ]; do
	i=$((i + 1))
	[ "$i" -gt 100 ] && exit 97
	kill -0 "$(cat "$d/dns.pid")" 2>/dev/null || exit 97
	sleep 0.05
done
exec "$@"
SH
	chmod +x "$HANG_DIR/run"
	local o
	for o in -mn -rmn; do
		if unshare "$o" "$HANG_DIR/run" "$HANG_DIR" "$tool" true 2>/dev/null; then
			HANG_UNSHARE=$o
			HANG_TOOL=$tool
			HANG_CMD="unshare $o $HANG_DIR/run $HANG_DIR $tool"
			mg_hang_dns_stop
			return 0
		fi
		mg_hang_dns_stop
	done
	HANG_WHY="no network and mount namespace to be had (unshare -mn and unshare -rmn failed: neither root nor user namespaces)"
	[ -s "$HANG_DIR/dns.err" ] && HANG_WHY="$HANG_WHY; $(head -n 1 "$HANG_DIR/dns.err")"
	return 1
}

mg_hang_dns() {
	unshare "$HANG_UNSHARE" "$HANG_DIR/run" "$HANG_DIR" "$HANG_TOOL" "$@"
}

# (also forgets its files: the next run's dns.query is its own)
mg_hang_dns_stop() {
	if [ -s "$HANG_DIR/dns.pid" ]; then
		kill "$(cat "$HANG_DIR/dns.pid")" 2>/dev/null
	fi
	rm -f "$HANG_DIR/dns.pid" "$HANG_DIR/dns.query" "$HANG_DIR/dns.ready"
	return 0
}
