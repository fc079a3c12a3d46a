/*
 * sock.h - buffered byte transport to an IMAP server: TCP (IPv4/IPv6, every
 * address getaddrinfo returns is tried), optional TLS (OpenSSL 3, TLS 1.2
 * minimum, system CA store, SNI, host name / IP verification), STARTTLS
 * upgrade in place, and an optional COMPRESS=DEFLATE layer (zlib).
 *
 * No call blocks forever: the name lookup waits at most connect_timeout_ms
 * (it runs in a helper thread, lookup.h; a literal address is not looked up),
 * connect at most connect_timeout_ms per address, every read or write wait at
 * most io_timeout_ms (poll), after which the call fails with MGC_TIMEOUT.
 * Errors go through common/err.h.
 *
 * Cancellation: a connection made with a cancel flag (the shell's Ctrl-C
 * flag, which its SIGINT handler sets) checks it in every wait (name lookup,
 * connect, TLS handshake, read, write; at least every 100 ms) and fails with MGC_STOPPED,
 * id "OperationStopped", once it is non-zero.  NULL: never cancelled (the
 * service's sync connections). The flag must outlive the connection.
 *
 * Certificate failures name the check that failed (expired, not yet valid,
 * host name mismatch, unknown issuer, self-signed) and the certificate subject.
 */
#ifndef MIGSH_NET_SOCK_H
#define MIGSH_NET_SOCK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/err.h"

typedef struct mg_sock mg_sock;

/* What the TLS layer negotiated and what the peer presented. */
typedef struct mg_tls_info {
	bool    active;             /* TLS is on for this connection */
	bool    verified;           /* certificate chain and name were verified */
	bool    verification_off;   /* -AcceptUntrustedCertificates: nothing was checked */
	char    version[16];        /* "TLSv1.3" */
	char    cipher[96];         /* "TLS_AES_256_GCM_SHA384" */
	char    subject[512];       /* one-line RFC 2253 subject of the server certificate */
	char    issuer[512];
	char    not_before[40];     /* "2026-11-22 05:38:29 UTC" */
	char    not_after[40];
	int64_t not_after_epoch;    /* 0 when unknown */
	/* when verification failed: the OpenSSL verify code and a short reason */
	long    verify_code;        /* X509_V_OK (0) when fine */
	char    verify_reason[128]; /* "certificate has expired", "host name mismatch", ... */
} mg_tls_info;

/* Resolve host and connect to port, trying each address in turn.
 * connect_timeout_ms / io_timeout_ms <= 0 select the defaults (15 s / 60 s).
 * cancel: see above (NULL: never).
 * Errors: MGC_CONNECTION (id "ConnectionRefused", "HostNotFound",
 * "NetworkUnreachable"), MGC_TIMEOUT ("ConnectTimeout", "ResolveTimeout": no
 * answer to the name lookup within connect_timeout_ms), MGC_STOPPED
 * ("OperationStopped"). */
mg_sock *mg_sock_connect(const char *host, int port, int connect_timeout_ms,
                         int io_timeout_ms, volatile sig_atomic_t *cancel, mg_err *err);

/* Start TLS on the connection (implicit TLS right after connect, or after a
 * STARTTLS OK).  host is used for SNI and verification (an IP literal is
 * verified against IP SANs).  accept_untrusted disables every check (the
 * info records verification_off).  Fails if unread plain-text bytes are
 * buffered (STARTTLS injection).  Errors: MGC_SECURITY ("CertificateExpired",
 * "CertificateHostMismatch", "CertificateUntrusted", "CertificateInvalid",
 * "TlsHandshakeFailed", "TlsPlainTextPort"), MGC_TIMEOUT. */
int mg_sock_start_tls(mg_sock *s, const char *host, bool accept_untrusted, mg_err *err);

/* Switch both directions to raw DEFLATE (RFC 4978) after COMPRESS OK. */
int mg_sock_start_deflate(mg_sock *s, mg_err *err);

/* Read up to n bytes; waits (bounded) until at least one byte is available.
 * Returns the count (> 0), 0 at end of stream, -1 on error/timeout. */
ssize_t mg_sock_read(mg_sock *s, void *buf, size_t n, mg_err *err);

/* Bytes already received and decoded but not yet returned by mg_sock_read. */
size_t mg_sock_pending(const mg_sock *s);

/* Wait up to timeout_ms for input: 1 readable (or buffered), 0 timeout, -1 error. */
int mg_sock_wait_readable(mg_sock *s, int timeout_ms, mg_err *err);

/* Queue bytes for sending (buffered; nothing is sent before flush unless the
 * buffer grows past 64 KiB). */
int mg_sock_write(mg_sock *s, const void *buf, size_t n, mg_err *err);
int mg_sock_writes(mg_sock *s, const char *str, mg_err *err);
/* Send everything queued (bounded by io_timeout_ms per wait). */
int mg_sock_flush(mg_sock *s, mg_err *err);

void mg_sock_set_io_timeout(mg_sock *s, int ms);
int  mg_sock_io_timeout(const mg_sock *s);

const mg_tls_info *mg_sock_tls_info(const mg_sock *s);   /* never NULL; .active says whether TLS is on */
bool mg_sock_is_compressed(const mg_sock *s);
/* Numeric address actually connected to ("127.0.0.1", "::1"). */
const char *mg_sock_peer_address(const mg_sock *s);
/* Byte counters on the wire (after TLS/compression) and of payload. */
void mg_sock_counters(const mg_sock *s, uint64_t *wire_in, uint64_t *wire_out,
                      uint64_t *data_in, uint64_t *data_out);

/* Close and free (NULL is fine).  Sends TLS close_notify best-effort. */
void mg_sock_close(mg_sock *s);

#endif
