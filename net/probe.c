/*
 * probe.c - the connection test behind Test-MigrationServerAvailability and
 * New/Set-MigrationEndpoint: connect, TLS/STARTTLS, greeting, CAPABILITY,
 * ID, a NOOP round trip and optionally a login, reporting every failure as a
 * result with a message that names the cause.
 */
#include "config.h"
#include "common/clock.h"
#include "net/probe.h"
#include "net/imap_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void copy_tls(mg_probe_result *o, const mg_tls_info *t)
{
	o->tls = t->active;
	o->verification_off = t->verification_off;
	snprintf(o->tls_version, sizeof o->tls_version, "%s", t->version);
	snprintf(o->tls_cipher, sizeof o->tls_cipher, "%s", t->cipher);
	snprintf(o->cert_subject, sizeof o->cert_subject, "%s", t->subject);
	snprintf(o->cert_issuer, sizeof o->cert_issuer, "%s", t->issuer);
	snprintf(o->cert_not_after, sizeof o->cert_not_after, "%s", t->not_after);
	o->cert_not_after_epoch = t->not_after_epoch;
}

static void failed(mg_probe_result *o, const mg_err *e, const char *stage, const mg_tls_info *t)
{
	o->success = false;
	snprintf(o->stage, sizeof o->stage, "%s", stage);
	snprintf(o->message, sizeof o->message, "%s", e->msg[0] ? e->msg : "the connection test failed");
	snprintf(o->error_id, sizeof o->error_id, "%s", e->id);
	o->error_category = e->category;
	int n = snprintf(o->error_detail, sizeof o->error_detail, "%s (%s) at stage %s", e->id,
	                 mg_err_category_name(e->category), stage);
	if (t && t->verify_code && n > 0 && (size_t)n < sizeof o->error_detail)
		snprintf(o->error_detail + n, sizeof o->error_detail - (size_t)n, "; certificate verification: %s (code %ld)",
		         t->verify_reason, t->verify_code);
	else if (e->sys_errno && n > 0 && (size_t)n < sizeof o->error_detail)
		snprintf(o->error_detail + n, sizeof o->error_detail - (size_t)n, "; errno %d", e->sys_errno);
}

int mg_probe_server(const mg_conn_params *p, const char *user, const char *password,
                    mg_probe_result *out, mg_err *err)
{
	memset(out, 0, sizeof *out);
	if (!p || !p->host || !*p->host || p->port <= 0 || p->port > 65535)
		return mg_err_set(err, MGC_INVALIDARG, "InvalidServer", "a server name and a port (1-65535) are needed");
	mg_conn_params q = *p;
	if (q.connect_timeout_ms <= 0) q.connect_timeout_ms = 10000;
	if (q.io_timeout_ms <= 0) q.io_timeout_ms = 15000;
	long t0 = mg_mono_ms();
	imap_diag d;
	mg_err e = { 0 };
	mg_imap *c = imap_connect_ex(&q, &d, &e);
	out->connect_ms = d.connect_ms;
	out->round_trip_ms = d.greeting_ms;
	snprintf(out->address, sizeof out->address, "%s", d.address);
	snprintf(out->greeting, sizeof out->greeting, "%s", d.greeting);
	copy_tls(out, &d.tls);
	if (!c && e.category == MGC_STOPPED) {
		mg_err_copy(err, &e);   /* Ctrl-C: no result, the command stops */
		return -1;
	}
	if (!c) {
		failed(out, &e, d.stage, &d.tls);
		out->total_ms = mg_mono_ms() - t0;
		return 0;
	}
	copy_tls(out, mg_imap_tls_info(c));
	char *sid = NULL;
	if (mg_imap_id(c, &sid, &e) < 0) {
		failed(out, &e, "id", NULL);
		goto done;
	}
	if (sid)
		snprintf(out->server_id, sizeof out->server_id, "%s", sid);
	free(sid);
	if (mg_imap_noop(c, &e) < 0) {
		failed(out, &e, "noop", NULL);
		goto done;
	}
	out->round_trip_ms = mg_imap_rtt_ms(c);
	snprintf(out->capabilities, sizeof out->capabilities, "%s", mg_imap_caps(c));
	if (user) {
		out->login_tested = true;
		if (mg_imap_login(c, user, password ? password : "", NULL, &e) < 0) {
			failed(out, &e, "login", NULL);
			goto done;
		}
		out->login_ok = true;
		snprintf(out->capabilities, sizeof out->capabilities, "%s", mg_imap_caps(c));
	}
	/* trim the trailing space of the capability list */
	size_t cl = strlen(out->capabilities);
	if (cl && out->capabilities[cl - 1] == ' ')
		out->capabilities[cl - 1] = 0;
	out->success = true;
	snprintf(out->stage, sizeof out->stage, "done");
	snprintf(out->message, sizeof out->message, "%s",
	         user ? "The connection to the server and the login succeeded."
	              : "The connection to the server succeeded.");
	if (out->verification_off) {
		const mg_tls_info *t = mg_imap_tls_info(c);
		size_t l = strlen(out->message);
		if (t->verify_code)
			snprintf(out->message + l, sizeof out->message - l,
			         " WARNING: certificate verification was turned off (-AcceptUntrustedCertificates); "
			         "the certificate would have failed verification: %s.", t->verify_reason);
		else
			snprintf(out->message + l, sizeof out->message - l,
			         " WARNING: certificate verification was turned off (-AcceptUntrustedCertificates).");
	}
	mg_imap_logout(c, NULL);
done:
	mg_imap_close(c);
	out->total_ms = mg_mono_ms() - t0;
	if (!out->success && e.category == MGC_STOPPED) {
		mg_err_copy(err, &e);
		return -1;
	}
	return 0;
}
