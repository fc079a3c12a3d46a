#!/bin/sh
# net_probe.sh - the connection probe behind Test-MigrationServerAvailability,
# against real Dovecot: Success over plain, STARTTLS and implicit TLS (test CA
# via SSL_CERT_FILE), with user and master-user logins; Failed with a message
# naming the cause for a refused port, a listener that never greets (bounded
# wait), a wrong-host certificate, an expired certificate, an unknown CA,
# STARTTLS requested where it is not offered, TLS against a plain port and a
# bad password; and a protocol trace of a login that contains no password.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"

D=$top_builddir/tests/integration/net_driver
[ -x "$D" ] || mg_fail "$D is not built (make check builds it)"

mg_dovecot_start SRC --users "user1 user2"
mg_dovecot_start NOTLS --no-starttls --users "user1"
mg_dovecot_start BADHOST --cert wronghost --users "user1"
mg_dovecot_start EXPIRED --cert expired --users "user1"

PW=$MG_TEST_PASSWORD
MPW=$MG_TEST_MASTER_PASSWORD
BADPW=not-the-password-42
export PW MPW BADPW
SSL_CERT_FILE=$MG_TEST_CA
export SSL_CERT_FILE
unset SSL_CERT_DIR || true

out=""
probe() {
	out=$("$D" probe --host "$@") || mg_fail "net_driver probe $* exited non-zero: $out"
}
# field NAME: value of NAME= in $out
field() { printf '%s\n' "$out" | sed -n "s/^$1=//p" | head -n 1; }
expect() {
	v=$(field "$1")
	case "$v" in
	$2) ;;
	*) printf '%s\n' "$out" >&2; mg_fail "$3: $1 is '$v', expected '$2'" ;;
	esac
}
now_ms() { date +%s%3N; }

# 1. Success: plain, STARTTLS, implicit TLS (verified: CA from SSL_CERT_FILE, host name checked)
probe 127.0.0.1 --port "$SRC_IMAP_PORT" --security None
expect Result Success "plain"
expect Tls false "plain is not TLS"
expect Greeting "*Dovecot*" "greeting recorded"
expect Capabilities "*IMAP4rev1*" "capabilities recorded"

probe 127.0.0.1 --port "$SRC_IMAP_PORT" --security Tls --user user1 --pass-env PW
expect Result Success "STARTTLS with login"
expect Tls true "STARTTLS negotiated TLS"
expect TlsVersion "TLSv1.[23]" "TLS version"
expect CertSubject "*CN=localhost*" "certificate subject"
expect CertNotAfter "20*UTC" "certificate expiry"
expect LoginOk true "login over STARTTLS"
expect VerificationOff false "verification on"
expect Capabilities "*IMAP4rev1*" "capabilities after TLS"
case "$(field Capabilities)" in *STARTTLS*) mg_fail "capabilities after TLS still list STARTTLS (pre-TLS list kept?)";; esac

probe 127.0.0.1 --port "$SRC_IMAPS_PORT" --security Ssl --user user2 --pass-env PW
expect Result Success "implicit TLS by IP address (IP SAN)"
expect ServerId "*name=Dovecot*" "ID answered"

# 2. master user: user1*mailadmin with the master password
probe 127.0.0.1 --port "$SRC_IMAPS_PORT" --security Ssl --user 'user1*mailadmin' --pass-env MPW
expect Result Success "master-user login"
expect LoginOk true "master-user login"

# 3. bad password
probe 127.0.0.1 --port "$SRC_IMAPS_PORT" --security Ssl --user user1 --pass-env BADPW
expect Result Failed "bad password"
expect ErrorId AuthenticationFailed "bad password"
expect Stage login "bad password"
expect Message "*user1*" "bad password message names the user"
case "$out" in *"$BADPW"*) mg_fail "the password appears in the probe output";; esac

# 4. refused port: fast
port=$(mg_free_ports 1)
t0=$(now_ms)
probe 127.0.0.1 --port "$port" --security Ssl
t1=$(now_ms)
expect Result Failed "refused port"
expect ErrorId ConnectionRefused "refused port"
expect Message "*refused*" "refused port message"
[ $((t1 - t0)) -lt 3000 ] || mg_fail "a refused connection took $((t1 - t0)) ms"

# 5. a listener that accepts and never greets: bounded wait
mg_silent_listener SIL 60
t0=$(now_ms)
probe 127.0.0.1 --port "$SIL" --security None --timeout-ms 1500
t1=$(now_ms)
expect Result Failed "silent listener"
expect ErrorId GreetingTimeout "silent listener"
expect Message "*no IMAP greeting*" "silent listener message"
[ $((t1 - t0)) -lt 6000 ] || mg_fail "waiting for a greeting took $((t1 - t0)) ms (limit 1500)"
# ... also with implicit TLS (the handshake itself gets no answer)
probe 127.0.0.1 --port "$SIL" --security Ssl --timeout-ms 1500
expect Result Failed "silent listener, Ssl"
expect Category OperationTimeout "silent listener, Ssl"

# 6. certificate for another host name
probe 127.0.0.1 --port "$BADHOST_IMAPS_PORT" --security Ssl
expect Result Failed "wrong host name"
expect ErrorId CertificateHostMismatch "wrong host name"
expect Message "*host name mismatch*" "wrong host name message"
expect Message "*subject*" "wrong host name message names the subject"
expect CertSubject "?*" "wrong host name: subject recorded"

# 7. expired certificate
probe 127.0.0.1 --port "$EXPIRED_IMAPS_PORT" --security Ssl
expect Result Failed "expired certificate"
expect ErrorId CertificateExpired "expired certificate"
expect Message "*expired*CN=*" "expired message names the subject"

# 8. unknown CA (the test CA not trusted) - and -AcceptUntrustedCertificates
out=$(env -u SSL_CERT_FILE SSL_CERT_DIR=/nonexistent "$D" probe --host 127.0.0.1 --port "$SRC_IMAPS_PORT" --security Ssl)
expect Result Failed "unknown CA"
expect ErrorId CertificateUntrusted "unknown CA"
expect Message "*unknown issuer*" "unknown CA message"
out=$(env -u SSL_CERT_FILE SSL_CERT_DIR=/nonexistent "$D" probe --host 127.0.0.1 --port "$SRC_IMAPS_PORT" --security Ssl --accept-untrusted)
expect Result Success "-AcceptUntrustedCertificates"
expect VerificationOff true "-AcceptUntrustedCertificates recorded"
expect Message "*verification was turned off*would have failed*issuer*" "-AcceptUntrustedCertificates said loudly, with what would have failed"

# 9. STARTTLS requested where the server does not offer it: no downgrade
probe 127.0.0.1 --port "$NOTLS_IMAP_PORT" --security Tls --user user1 --pass-env PW
expect Result Failed "STARTTLS not offered"
expect ErrorId StartTlsNotOffered "STARTTLS not offered"
expect LoginTested false "no credentials sent without TLS"

# 10. TLS against a plain port
probe 127.0.0.1 --port "$SRC_IMAP_PORT" --security Ssl
expect Result Failed "TLS against a plain port"
expect ErrorId TlsPlainTextPort "TLS against a plain port"
expect Message "*plain text*" "TLS against a plain port message"

# 11. a protocol trace of a login holds no password (PLAIN, LOGIN and master forms)
trace=$MG_TMP/trace.txt
probe 127.0.0.1 --port "$SRC_IMAPS_PORT" --security Ssl --user user1 --pass-env PW --trace "$trace"
expect Result Success "traced login"
grep -q '^C: .*AUTHENTICATE PLAIN <redacted>' "$trace" || { cat "$trace" >&2; mg_fail "trace shows no redacted AUTHENTICATE"; }
grep -q '^S: ' "$trace" || mg_fail "trace has no server lines"
b64=$(printf '\0user1\0%s' "$PW" | base64 -w0 2>/dev/null || printf '\0user1\0%s' "$PW" | base64)
if grep -F -e "$PW" -e "$b64" "$trace" >/dev/null; then
	cat "$trace" >&2
	mg_fail "the password (or its PLAIN encoding) appears in the trace"
fi
probe 127.0.0.1 --port "$SRC_IMAPS_PORT" --security Ssl --user 'user1*mailadmin' --pass-env MPW --trace "$trace"
! grep -F "$MPW" "$trace" >/dev/null || mg_fail "the master password appears in the trace"

# 12. -Authentication CramMd5 against a server offering it (Debian's Dovecot has no NTLM,
#     so NTLM is covered by the MS-NLMP vectors in test_sasl); a server without the
#     mechanism gives a clear refusal instead of falling back.
mg_dovecot_start CRAM --users "user1"
sed 's/^auth_mechanisms = .*/auth_mechanisms = plain login cram-md5/' "$CRAM_DIR/dovecot.conf" >"$CRAM_DIR/dovecot.conf.new"
mv "$CRAM_DIR/dovecot.conf.new" "$CRAM_DIR/dovecot.conf"
kill -HUP "$CRAM_PID"
i=0
while :; do
	out=$("$D" probe --host 127.0.0.1 --port "$CRAM_IMAPS_PORT" --security Ssl) || true
	case "$(field Capabilities)" in *AUTH=CRAM-MD5*) break ;; esac
	i=$((i + 1))
	[ $i -lt 50 ] || mg_fail "the CRAM instance never offered AUTH=CRAM-MD5 after a reload"
	sleep 0.2
done
probe 127.0.0.1 --port "$CRAM_IMAPS_PORT" --security Ssl --auth CramMd5 --user user1 --pass-env PW --trace "$trace"
expect Result Success "CRAM-MD5 login"
grep -q '^C: M[0-9]* AUTHENTICATE CRAM-MD5$' "$trace" || { cat "$trace" >&2; mg_fail "trace shows no AUTHENTICATE CRAM-MD5"; }
! grep -F "$PW" "$trace" >/dev/null || mg_fail "the password appears in the CRAM-MD5 trace"
probe 127.0.0.1 --port "$CRAM_IMAPS_PORT" --security Ssl --auth CramMd5 --user user1 --pass-env BADPW
expect ErrorId AuthenticationFailed "CRAM-MD5 with a bad password"
probe 127.0.0.1 --port "$SRC_IMAPS_PORT" --security Ssl --auth Ntlm --user user1 --pass-env PW
expect ErrorId MechanismNotOffered "NTLM not offered"
expect Message "*NTLM*" "NTLM not offered message"

mg_log "all probe cases passed"
