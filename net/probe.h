/*
 * probe.h - test whether an IMAP server can be reached (and optionally logged
 * in to), for Test-MigrationServerAvailability and New/Set-MigrationEndpoint.
 *
 * The probe never throws a failure at the caller: a server that cannot be
 * reached is a result (success == false, message names the cause), not an
 * error.  mg_probe_server returns -1 only for unusable arguments, and when
 * p->cancel stopped it (Ctrl-C: MGC_STOPPED "OperationStopped").
 */
#ifndef MIGSH_NET_PROBE_H
#define MIGSH_NET_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include "common/err.h"
#include "net/conn.h"

typedef struct mg_probe_result {
	bool success;              /* Result: Success / Failed */
	char message[1024];        /* Message: one sentence naming the cause and what to do */
	char error_detail[1024];   /* ErrorDetail: technical detail (OpenSSL reason, server text) */
	char error_id[96];         /* mg_err id of the failure ("ConnectionRefused", "GreetingTimeout",
	                              "CertificateExpired", "CertificateHostMismatch",
	                              "CertificateUntrusted", "StartTlsNotOffered", "TlsPlainTextPort",
	                              "AuthenticationFailed" ...), "" on success */
	mg_err_cat error_category; /* category of the failure (with error_id) */
	char stage[16];            /* where it stopped or "done": "connect" "greeting" "tls"
	                              "starttls" "capability" "login" */
	/* what we learnt (empty when not reached) */
	char address[64];          /* numeric address connected to */
	char greeting[512];
	char server_id[512];       /* from ID, "name=Dovecot ..." */
	char capabilities[2048];   /* space-separated, after TLS (and after login when tested) */
	bool tls;                  /* TLS was negotiated */
	char tls_version[16];
	char tls_cipher[96];
	char cert_subject[512];
	char cert_issuer[512];
	char cert_not_after[40];   /* "2027-11-22 05:38:29 UTC" */
	int64_t cert_not_after_epoch;
	bool verification_off;     /* -AcceptUntrustedCertificates: certificate not checked */
	bool login_tested;
	bool login_ok;
	long connect_ms;           /* TCP connect */
	long round_trip_ms;        /* one NOOP round trip after the greeting (or greeting wait) */
	long total_ms;
} mg_probe_result;

/* Connect per p (host, port, security, auth, timeouts), read the greeting,
 * do TLS/STARTTLS, CAPABILITY, ID, NOOP; when user != NULL also log in with
 * password (admin formats pass through) and log out.  Fills *out. */
int mg_probe_server(const mg_conn_params *p, const char *user, const char *password,
                    mg_probe_result *out, mg_err *err);

#endif
