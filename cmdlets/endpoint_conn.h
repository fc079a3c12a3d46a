/*
 * endpoint_conn.h - turn a saved migration endpoint into connection
 * parameters (for Test-MigrationServerAvailability -Endpoint and the
 * endpoint cmdlets), and print the loud -AcceptUntrustedCertificates warning.
 */
#ifndef MIGSH_CMDLETS_ENDPOINT_CONN_H
#define MIGSH_CMDLETS_ENDPOINT_CONN_H

#include "net/conn.h"
#include "shell/cmdlet.h"

typedef struct mg_ep_conn {
	char *name;           /* the endpoint's name as saved */
	char *host;
	char *user;           /* admin user of a target endpoint, or NULL */
	char *password;       /* its password (secret), or NULL */
	mg_conn_params p;     /* p.host points at host */
} mg_ep_conn;

/* Load endpoint `identity` (name or Guid).  0 ok; -1 with err filled
 * ("couldn't be found" when it does not exist). */
int  mg_ep_conn_load(mg_ctx *c, const char *identity, mg_ep_conn *out, mg_err *err);
void mg_ep_conn_free(mg_ep_conn *ec);

/* The warning printed whenever certificate verification is switched off. */
void mg_warn_untrusted(mg_ctx *c, const char *host, int port);
/* The same warning for the endpoints a batch uses (by batch name), when
 * they accept untrusted certificates. */
void mg_warn_batch_untrusted(mg_ctx *c, const char *batch);

#endif
