/*
 * conn.h - how to reach an IMAP server (shared by endpoints, the sync engine
 * and Test-MigrationServerAvailability).  Plain data; no secrets in here.
 */
#ifndef MIGSH_NET_CONN_H
#define MIGSH_NET_CONN_H

#include <signal.h>
#include <stdbool.h>

typedef enum mg_security {
	MG_SEC_NONE = 0,  /* plain text (only with -Security None) */
	MG_SEC_SSL  = 1,  /* implicit TLS (993) */
	MG_SEC_TLS  = 2   /* STARTTLS on the plain port (143) */
} mg_security;

typedef enum mg_auth {
	MG_AUTH_BASIC = 0,   /* LOGIN or AUTHENTICATE PLAIN */
	MG_AUTH_NTLM  = 1,
	MG_AUTH_CRAMMD5 = 2, /* extension */
	MG_AUTH_XOAUTH2 = 3  /* extension: password is the bearer token */
} mg_auth;

typedef struct mg_conn_params {
	const char *host;
	int         port;
	mg_security security;
	mg_auth     auth;
	bool        accept_untrusted;   /* -AcceptUntrustedCertificates */
	int         connect_timeout_ms; /* 0 = default (15 s) */
	int         io_timeout_ms;      /* 0 = default (60 s): no read/write waits longer */
	bool        compress;           /* use COMPRESS=DEFLATE when offered (default true) */
	/* Ctrl-C: the shell's interrupt flag (set by its SIGINT handler); every
	 * network wait stops with MGC_STOPPED "OperationStopped" once it is
	 * non-zero.  NULL (the service's own connections): never. */
	volatile sig_atomic_t *cancel;
	/* protocol trace (redacted): called once per line sent ("C: ") or received ("S: "), or NULL */
	void      (*trace)(void *arg, const char *line);
	void       *trace_arg;
} mg_conn_params;

/* The names (-Security, -Authentication, the objects' properties), each
 * table indexed by its enum and NULL-terminated: the one place they are
 * spelled (the cmdlets' allowed values are these tables). */
extern const char *const mg_security_names[];  /* "None" "Ssl" "Tls" */
extern const char *const mg_auth_names[];      /* "Basic" "Ntlm" "CramMd5" "XOAuth2" */

const char *mg_security_name(mg_security s);
int mg_security_parse(const char *s, mg_security *out); /* case-insensitive; 0 ok */
const char *mg_auth_name(mg_auth a);
/* case-insensitive; also "CRAM-MD5" and "OAuth" (older state files); 0 ok */
int mg_auth_parse(const char *s, mg_auth *out);

#endif
