/*
 * cmd_endpoint.c - New-, Get-, Set- and Remove-MigrationEndpoint: named
 * connection profiles for IMAP servers, kept in the state store.  New- and
 * Set- test the connection first (net/probe.h) and refuse to save an
 * endpoint that cannot connect, unless -SkipVerification.
 */
#include "config.h"
#include "cmdlets/cmd_common.h"
#include "cmdlets/endpoint_conn.h"
#include "cmdlets/objects.h"
#include "cmdlets/types.h"
#include "common/mem.h"
#include "common/str.h"
#include "shell/session.h"
#include "engine/lifecycle.h"
#include "engine/service.h"
#include "engine/store.h"
#include "net/probe.h"

#include "shell/secure.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

void mg_warn_untrusted(mg_ctx *c, const char *host, int port)
{
	mg_warning(c, "CERTIFICATE VERIFICATION IS OFF for %s:%d (-AcceptUntrustedCertificates). "
	           "Any machine on the network path can pretend to be this server and read the "
	           "passwords sent to it. Trust the server's CA instead (SSL_CERT_FILE) when you can.",
	           host, port);
}

void mg_warn_batch_untrusted(mg_ctx *c, const char *batch)
{
	mg_store *st = mg_cmd_store(c);
	if (!st)
		return;
	mg_batch *b = NULL;
	mg_err err;
	mg_err_clear(&err);
	if (mg_store_batch_load(st, batch, &b, &err) < 0)
		return;
	const char *names[2] = { b->source_endpoint, b->target_endpoint };
	for (int i = 0; i < 2; i++) {
		mg_endpoint *e = NULL;
		if (names[i] && mg_store_endpoint_load(st, names[i], &e, &err) == 0) {
			if (e->accept_untrusted)
				mg_warn_untrusted(c, e->remote_server, e->port);
			mg_endpoint_free(e);
		}
	}
	mg_batch_free(b);
}

int mg_ep_conn_load(mg_ctx *c, const char *identity, mg_ep_conn *out, mg_err *err)
{
	memset(out, 0, sizeof *out);
	mg_store *st = mg_cmd_store(c);
	if (!st) {
		if (err != &c->err)
			mg_err_copy(err, &c->err);
		return -1;
	}
	mg_endpoint *e = NULL;
	if (mg_cmd_get_endpoint(st, identity, &e, err) < 0)
		return -1;
	mg_conn_params p;
	mg_endpoint_conn_params(e, &p);
	out->name = xstrdup(e->name);
	out->host = xstrdup(e->remote_server);
	out->user = xstrdup(e->admin_user);
	out->password = xstrdup(e->admin_password);
	out->p = p;
	out->p.host = out->host;
	mg_endpoint_free(e);
	return 0;
}

void mg_ep_conn_free(mg_ep_conn *ec)
{
	free(ec->name);
	free(ec->host);
	free(ec->user);
	mg_secret_free(ec->password);
	memset(ec, 0, sizeof *ec);
}

/* Unlimited values: -1 = Unlimited. */
static bool limit_le(long long a, long long b)
{
	if (b < 0)
		return true;
	if (a < 0)
		return false;
	return a <= b;
}

static int check_limits(mg_ctx *c, const mg_endpoint *e)
{
	if (e->max_concurrent_migrations == 0 || e->max_concurrent_incremental == 0)
		return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidConcurrencyLimit",
		                  "MaxConcurrentMigrations and MaxConcurrentIncrementalSyncs must be at "
		                  "least 1 (or Unlimited).");
	if (!limit_le(e->max_concurrent_incremental, e->max_concurrent_migrations)) {
		char a[32], b[32];
		snprintf(a, sizeof a, "%lld", e->max_concurrent_incremental);
		snprintf(b, sizeof b, "%lld", e->max_concurrent_migrations);
		return mg_err_set(&c->err, MGC_INVALIDARG, "MaxConcurrentIncrementalSyncsTooLarge",
		                  "MaxConcurrentIncrementalSyncs (%s) must be less than or equal to "
		                  "MaxConcurrentMigrations (%s). Lower MaxConcurrentIncrementalSyncs or "
		                  "raise MaxConcurrentMigrations.",
		                  e->max_concurrent_incremental < 0 ? "Unlimited" : a,
		                  e->max_concurrent_migrations < 0 ? "Unlimited" : b);
	}
	return 0;
}

/* -Port / -Security / ... from the arguments into e.  Returns -1 on a bad value. */
static int apply_conn_args(mg_ctx *c, mg_endpoint *e, bool accept_is_bool)
{
	if (mg_has(c, "RemoteServer")) {
		const char *h = mg_arg_nonempty(c, "RemoteServer");
		if (!h)
			return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidRemoteServer",
			                  "-RemoteServer is empty: give the IMAP server's host name.");
		free(e->remote_server);
		e->remote_server = xstrdup(h);
	}
	if (mg_has(c, "Port")) {
		long long port = 0;
		if (mv_to_ll(mg_arg(c, "Port"), &port) < 0 || port < 1 || port > 65535)
			return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidPort",
			                  "-Port must be a TCP port between 1 and 65535 (993 for Ssl, 143 "
			                  "for None or Tls).");
		e->port = (int)port;
	}
	e->security = (mg_security)mg_arg_enum(c, "Security", (int)e->security);
	e->authentication = (mg_auth)mg_arg_enum(c, "Authentication", (int)e->authentication);
	if (mg_has(c, "AcceptUntrustedCertificates")) {
		mv *v = mg_arg(c, "AcceptUntrustedCertificates");
		e->accept_untrusted = accept_is_bool ? mv_truthy(v)
		                                     : mg_switch(c, "AcceptUntrustedCertificates");
	}
	long long lim;
	int r = mg_arg_limit(c, "MaxConcurrentMigrations", &lim);
	if (r < 0)
		return -1;
	if (r > 0)
		e->max_concurrent_migrations = lim < 0 ? MG_UNLIMITED : lim;
	r = mg_arg_limit(c, "MaxConcurrentIncrementalSyncs", &lim);
	if (r < 0)
		return -1;
	if (r > 0)
		e->max_concurrent_incremental = lim < 0 ? MG_UNLIMITED : lim;
	/* extension: how a target endpoint logs in to each mailbox */
	if (mg_has(c, "MasterUserSeparator")) {
		const char *sep = mg_arg_str(c, "MasterUserSeparator");
		free(e->master_separator);
		e->master_separator = NULL;
		if (sep && *sep) {
			e->target_login = MG_TLOGIN_MASTER;
			e->master_separator = xstrdup(sep);
		} else {
			e->target_login = MG_TLOGIN_AUTHZID;
		}
	}
	/* extension: admin credentials of a target endpoint */
	char *u = NULL, *p = NULL;
	int have = mg_arg_credential(c, "Credentials", &u, &p);
	if (have < 0)
		return -1;
	if (have == 0 && (mg_has(c, "UserName") || mg_has(c, "Password"))) {
		const char *un = mg_arg_str(c, "UserName");
		const char *pw = mg_arg_str(c, "Password");
		if (!un || !*un || !pw)
			return mg_err_set(&c->err, MGC_INVALIDARG, "IncompleteCredentials",
			                  "Give -UserName and -Password together (or -Credentials "
			                  "user,password).");
		u = xstrdup(un);
		p = mg_secure_text(c->session, mg_arg(c, "Password"));   /* a SecureString's secret, or the text */
		have = 1;
	}
	if (have > 0) {
		free(e->admin_user);
		mg_secret_free(e->admin_password);
		e->admin_user = u;
		e->admin_password = p;
	}
	return 0;
}

/* -Verbose: the (redacted) protocol trace of the connection test. */
static void trace_line(void *arg, const char *line)
{
	mg_verbose((mg_ctx *)arg, "%s", line);
}

/* Test the endpoint's connection; -1 with an error naming the endpoint when it fails. */
static int verify_endpoint(mg_ctx *c, const mg_endpoint *e, const char *verb)
{
	mg_conn_params p;
	mg_endpoint_conn_params(e, &p);
	p.compress = false;
	if (mg_verbose_on(c)) {
		p.trace = trace_line;
		p.trace_arg = c;
	}
	if (e->accept_untrusted)
		mg_warn_untrusted(c, e->remote_server, e->port);
	mg_probe_result r;
	memset(&r, 0, sizeof r);
	p.cancel = c->session->interrupted;   /* Ctrl-C stops a hanging connection */
	if (mg_probe_server(&p, NULL, NULL, &r, &c->err) < 0) {
		if (c->err.category == MGC_STOPPED)   /* reported as a stopped pipeline, like Start-Sleep */
			mg_err_set(&c->err, MGC_STOPPED, "PipelineStopped", "The pipeline has been stopped.");
		return -1;
	}
	mg_verbose(c, "Connection test of %s:%d (%s): %s in %ld ms", e->remote_server, e->port,
	           mg_security_name(e->security), r.success ? "Success" : "Failed", r.total_ms);
	if (r.success)
		return 0;
	const char *why = r.message[0] ? r.message : "the server could not be reached.";
	size_t wl = strlen(why);
	return mg_err_set(&c->err, r.error_id[0] ? r.error_category : MGC_CONNECTION,
	                  r.error_id[0] ? r.error_id : "ConnectionTestFailed",
	                  "The migration endpoint '%s' wasn't %s because the connection test to "
	                  "%s:%d (Security %s) failed: %s%s Run Test-MigrationServerAvailability for "
	                  "details, or add -SkipVerification to save it without the test.",
	                  e->name, verb, e->remote_server, e->port, mg_security_name(e->security),
	                  why, (wl && why[wl - 1] == '.') ? "" : ".");
}

/* Names of the batches using endpoint `name` (as source or target), into sb. */
static size_t batches_using(mg_store *st, const char *name, strbuf *sb)
{
	mg_batch **bv = NULL;
	size_t nb = 0, count = 0;
	mg_err e;
	mg_err_clear(&e);
	if (mg_store_batch_list(st, &bv, &nb, &e) < 0)
		return 0;
	for (size_t i = 0; i < nb; i++) {
		if ((bv[i]->source_endpoint && str_ieq(bv[i]->source_endpoint, name)) ||
		    (bv[i]->target_endpoint && str_ieq(bv[i]->target_endpoint, name))) {
			if (sb)
				strbuf_addf(sb, "%s'%s'", count ? ", " : "", bv[i]->name);
			count++;
		}
	}
	mg_batch_list_free(bv, nb);
	return count;
}

static mv *endpoint_object(mg_ctx *c, mg_store *st, const mg_endpoint *e)
{
	size_t nbatches = batches_using(st, e->name, NULL);
	long active = 0, active_inc = 0;
	mg_err err;
	mg_err_clear(&err);
	/* what the service runs now for this endpoint (0 when it does not run) */
	if (mg_service_endpoint_counts(mg_home(c), e->name, &active, &active_inc, &err) < 0)
		active = active_inc = 0;
	return mg_obj_endpoint(e, nbatches, active, active_inc);
}

/* ---------------------------------------------------------------- New- */

static int new_endpoint_process(mg_ctx *c, mv *input)
{
	(void)input;
	if (!mg_switch(c, "IMAP"))
		return mg_err_set(&c->err, MGC_INVALIDARG, "UnsupportedEndpointType",
		                  "migsh creates IMAP endpoints only: add -IMAP.");
	mg_store *st = mg_cmd_store(c);
	if (!st)
		return -1;
	const char *name = mg_arg_nonempty(c, "Name");
	if (!name)
		return mg_err_set(&c->err, MGC_INVALIDARG, "InvalidName",
		                  "-Name is empty: give the endpoint a name.");
	mg_endpoint *old = NULL;
	mg_err tmp;
	mg_err_clear(&tmp);
	if (mg_store_endpoint_load(st, name, &old, &tmp) == 0) {
		mg_err_set(&c->err, MGC_EXISTS, "EndpointAlreadyExists",
		           "A migration endpoint named '%s' already exists. Choose another name, or "
		           "change the existing one with Set-MigrationEndpoint.", old->name);
		mg_endpoint_free(old);
		return -1;
	}
	mg_endpoint *e = mg_endpoint_new(name);
	int rc = -1;
	if (apply_conn_args(c, e, false) < 0 || check_limits(c, e) < 0)
		goto out;
	int go = mg_cmd_confirm(c, name, "Create migration endpoint");
	if (go <= 0) {
		rc = go;
		goto out;
	}
	if (!mg_switch(c, "SkipVerification") && verify_endpoint(c, e, "created") < 0)
		goto out;
	if (mg_store_endpoint_create(st, e, &c->err) < 0)
		goto out;
	rc = mg_emit_take(c, endpoint_object(c, st, e));
out:
	mg_endpoint_free(e);
	return rc;
}

/* ---------------------------------------------------------------- Get- */

static int get_endpoint_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = mg_cmd_store(c);
	if (!st)
		return -1;
	const char *id = mg_arg_nonempty(c, "Identity");
	if (id) {
		mg_endpoint *e = NULL;
		int found = mg_cmd_find_endpoint(c, st, id, &e);
		if (found <= 0)
			return found;
		int rc = mg_emit_take(c, endpoint_object(c, st, e));
		mg_endpoint_free(e);
		return rc;
	}
	const char *type = mg_arg_nonempty(c, "Type");
	mg_endpoint **v = NULL;
	size_t n = 0;
	if (mg_store_endpoint_list(st, &v, &n, &c->err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (type && !str_ieq(type, v[i]->endpoint_type ? v[i]->endpoint_type : "IMAP"))
			continue;
		rc = mg_emit_take(c, endpoint_object(c, st, v[i]));
	}
	mg_endpoint_list_free(v, n);
	return rc;
}

/* ---------------------------------------------------------------- Set- */

static int set_endpoint_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = NULL;
	mg_endpoint *e = NULL;
	int rc = mg_cmd_load_endpoint(c, "name the endpoint to change", &st, &e);
	if (rc <= 0)
		return rc;
	rc = -1;
	if (apply_conn_args(c, e, true) < 0 || check_limits(c, e) < 0)
		goto out;
	bool conn_changed = mg_has(c, "RemoteServer") || mg_has(c, "Port") ||
	                    mg_has(c, "Security") || mg_has(c, "Authentication") ||
	                    mg_has(c, "AcceptUntrustedCertificates") || mg_has(c, "Credentials") ||
	                    mg_has(c, "UserName") || mg_has(c, "Password");
	int go = mg_cmd_confirm(c, e->name, "Set migration endpoint");
	if (go <= 0) {
		rc = go;
		goto out;
	}
	if (conn_changed && !mg_switch(c, "SkipVerification") && verify_endpoint(c, e, "changed") < 0)
		goto out;
	if (mg_store_endpoint_save(st, e, &c->err) < 0)
		goto out;
	rc = 0;
out:
	mg_endpoint_free(e);
	return rc;
}

/* ---------------------------------------------------------------- Remove- */

static int remove_endpoint_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_store *st = NULL;
	mg_endpoint *e = NULL;
	int rc = mg_cmd_load_endpoint(c, "name the endpoint to remove", &st, &e);
	if (rc <= 0)
		return rc;
	mg_err err;
	mg_err_clear(&err);
	strbuf users = STRBUF_INIT;
	size_t n = batches_using(st, e->name, &users);
	rc = 0;
	if (n) {
		mg_err_set(&err, MGC_INVALIDOP, "EndpointInUse",
		           "The migration endpoint '%s' can't be removed because %s %s %s it. Remove "
		           "%s first (Remove-MigrationBatch), then remove the endpoint.",
		           e->name, n == 1 ? "the migration batch" : "the migration batches",
		           users.buf, n == 1 ? "uses" : "use", n == 1 ? "that batch" : "those batches");
		rc = mg_cmd_report(c, &err, e->name);
		goto out;
	}
	int go = mg_cmd_confirm(c, e->name, "Remove migration endpoint");
	if (go <= 0) {
		rc = go;
		goto out;
	}
	if (mg_store_endpoint_remove(st, e->name, &err) < 0)
		rc = mg_cmd_report(c, &err, e->name);
out:
	strbuf_free(&users);
	mg_endpoint_free(e);
	return rc;
}
/* ---------------------------------------------------------------- declarations */

static const mg_param new_endpoint_params[] = {
	{ "IMAP", MPT_SWITCH, MPF_MANDATORY, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Selects the IMAP form of the cmdlet (the only endpoint type migsh supports). "
	  "Without it the cmdlet refuses to run." },
	{ "Name", MPT_STRING, MPF_MANDATORY, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The name of the new endpoint, unique among endpoints (case-insensitive). Batches refer "
	  "to it with -SourceEndpoint (or -TargetEndpoint)." },
	{ "RemoteServer", MPT_STRING, MPF_MANDATORY, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Host name (FQDN) or address of the IMAP server. With -Security Ssl or Tls the server's "
	  "certificate must be valid for this name." },
	{ "Port", MPT_INT, 0, -1, NULL, NULL, NULL, "993", MGCOMP_NONE,
	  "TCP port of the IMAP server: typically 993 with -Security Ssl and 143 with None or Tls." },
	{ "Security", MPT_ENUM, 0, -1, mg_security_names, NULL, NULL, "Ssl", MGCOMP_ENUM,
	  "How the connection is protected: Ssl = implicit TLS (port 993), Tls = STARTTLS on the "
	  "plain port (143; refused if the server does not offer STARTTLS, never downgraded), "
	  "None = plain text (passwords travel unencrypted)." },
	{ "AcceptUntrustedCertificates", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Accept a self-signed, expired or otherwise untrusted server certificate. Certificate "
	  "verification is switched off completely for this endpoint; migsh warns every time it "
	  "is used. Prefer trusting the server's CA (SSL_CERT_FILE / SSL_CERT_DIR)." },
	{ "Authentication", MPT_ENUM, 0, -1, mg_auth_names, NULL, NULL, "Basic", MGCOMP_ENUM,
	  "Login mechanism: Basic (LOGIN or AUTHENTICATE PLAIN) or Ntlm, as in Exchange; CramMd5 "
	  "and XOAuth2 (the password is the bearer token) are migsh extensions." },
	{ "MaxConcurrentMigrations", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, "100", MGCOMP_NONE,
	  "How many mailboxes of batches using this endpoint may be in their initial "
	  "synchronization at the same time (a number or Unlimited)." },
	{ "MaxConcurrentIncrementalSyncs", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, "20", MGCOMP_NONE,
	  "How many mailboxes may be in an incremental synchronization at the same time. Must "
	  "not be larger than MaxConcurrentMigrations." },
	{ "SkipVerification", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Save the endpoint without testing the connection first. Without it the server is "
	  "contacted (as Test-MigrationServerAvailability does) and the endpoint is not created "
	  "when the connection fails." },
	{ "Credentials", MPT_CREDENTIAL, MPF_EXTENSION | MPF_SECRET, -1, NULL, NULL, NULL, NULL,
	  MGCOMP_NONE,
	  "migsh extension for target endpoints: administrator credentials (user,password or a "
	  "PSCredential) used to log in to a target IMAP server. For a Dovecot target use the "
	  "master user (e.g. mailadmin); each mailbox is then opened as EmailAddress*admin or "
	  "with a PLAIN authorization identity. The password is stored in the state directory "
	  "(mode 0600) and never shown. The connection test does not log in with them (a master "
	  "user usually cannot log in on its own); test a login with "
	  "Test-MigrationServerAvailability -Credentials 'user*admin',password." },
	{ "MasterUserSeparator", MPT_STRING, MPF_EXTENSION, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "migsh extension for target endpoints: log in to each mailbox as "
	  "<EmailAddress><separator><admin user> (Dovecot's master-user login, separator *) "
	  "instead of AUTHENTICATE PLAIN with the EmailAddress as authorization identity (the "
	  "default). An empty string restores the default." },
	{ "UserName", MPT_STRING, MPF_EXTENSION, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "migsh extension: the administrator login of a target endpoint (same as the user part "
	  "of -Credentials). Give it together with -Password." },
	{ "Password", MPT_STRING, MPF_EXTENSION | MPF_SECRET, -1, NULL, NULL, NULL, NULL,
	  MGCOMP_NONE,
	  "migsh extension: the administrator password of a target endpoint (with -UserName). "
	  "Never shown in any output." },
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example new_endpoint_examples[] = {
	{ "New-MigrationEndpoint -IMAP -Name IMAPEndpoint -RemoteServer imap.contoso.com -Port 993 -Security Ssl",
	  "Creates an IMAP endpoint named IMAPEndpoint for a server that uses implicit TLS on port "
	  "993. The connection is tested first; the endpoint is only saved when it succeeds. "
	  "(Microsoft's IMAP migration walkthrough.)", 0, "IMAPEndpoint" },
	{ "New-MigrationEndpoint -IMAP -Name IMAPEndpoint -RemoteServer imap.contoso.com -Port 143 -Security Tls -MaxConcurrentMigrations 50 -MaxConcurrentIncrementalSyncs 25",
	  "Creates an endpoint that uses STARTTLS on port 143 and allows 50 mailboxes in initial "
	  "synchronization and 25 in incremental synchronization at once.", 0, "IMAPEndpoint" },
	{ "New-MigrationEndpoint -IMAP -Name IMAPEndpoint -RemoteServer imap.contoso.com -Port 993 -Security Ssl -MaxConcurrentMigrations 10 -MaxConcurrentIncrementalSyncs 20",
	  "Refused: MaxConcurrentIncrementalSyncs may not be larger than MaxConcurrentMigrations.",
	  MG_EXAMPLE_FAILS, "MaxConcurrentIncrementalSyncs" },
	{ "New-MigrationEndpoint -IMAP -Name Unreachable -RemoteServer imap.contoso.com -Port 9993 -Security Ssl",
	  "Refused: nothing listens on port 9993, so the connection test fails and the endpoint is "
	  "not created. The error names the cause (here: connection refused).",
	  MG_EXAMPLE_FAILS, "Unreachable" },
	{ "New-MigrationEndpoint -IMAP -Name Later -RemoteServer imap.contoso.com -Port 993 -SkipVerification",
	  "Saves an endpoint without contacting the server (for example before a firewall rule is "
	  "in place). Test it later with Test-MigrationServerAvailability -Endpoint Later.",
	  0, "Later" },
	{ "New-MigrationEndpoint -IMAP -Name NewServer -RemoteServer imap.contoso.com -Port 993 -Security Ssl -Credentials mailadmin,Master-Pass-456",
	  "migsh extension: an endpoint for a target IMAP server with master-user credentials. "
	  "Batches created with -TargetEndpoint NewServer copy mail into that server, logging in "
	  "to each mailbox with the administrator's credentials.", 0, "NewServer" },
	{ "migsh -c 'New-MigrationEndpoint -IMAP -Name IMAPEndpoint -RemoteServer imap.contoso.com -Port 993 -Security Ssl | Format-List Identity,RemoteServer,Port,Security'",
	  "The same from bash or a provisioning script: migsh exits with status 1 when the "
	  "endpoint could not be created.", MG_EXAMPLE_BASH, "RemoteServer" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_new_migration_endpoint = {
	.name = "New-MigrationEndpoint",
	.synopsis = "Creates a named connection profile (endpoint) for a source or target IMAP server.",
	.description =
	  "New-MigrationEndpoint -IMAP saves the settings needed to reach an IMAP server: host, "
	  "port, security mode, authentication mechanism and concurrency limits. Migration batches "
	  "refer to the endpoint by name (New-MigrationBatch -SourceEndpoint).\n\n"
	  "Before saving, the server is contacted exactly as Test-MigrationServerAvailability does "
	  "(TCP connection, TLS or STARTTLS with certificate and host name verification, IMAP "
	  "greeting and capabilities). When that fails the endpoint is not created and the error "
	  "says why; -SkipVerification saves it without the test.\n\n"
	  "Endpoint names are unique. MaxConcurrentIncrementalSyncs must be less than or equal to "
	  "MaxConcurrentMigrations. Endpoints are kept in the state directory ($MIGSH_HOME).\n\n"
	  "migsh extension: an endpoint may hold administrator credentials (-Credentials, or "
	  "-UserName and -Password) so that it can serve as the target of a batch "
	  "(New-MigrationBatch -TargetEndpoint) and copy mail into another IMAP server.",
	.params = new_endpoint_params,
	.default_set = NULL,
	.inputs = "None. You cannot pipe objects to New-MigrationEndpoint.",
	.outputs = "MigrationEndpoint. The new endpoint.",
	.output_type = &mg_type_endpoint,
	.examples = new_endpoint_examples,
	.notes =
	  "Only the IMAP endpoint type exists in migsh; other Exchange endpoint types are refused. "
	  "The endpoint's own credentials (extension) are stored with mode 0600 and never printed; "
	  "Get-MigrationEndpoint shows the UserName only. With -AcceptUntrustedCertificates the "
	  "certificate is not verified at all and migsh prints a warning whenever the endpoint is "
	  "used.",
	.related = MG_NAMES("Get-MigrationEndpoint", "Set-MigrationEndpoint",
	                    "Remove-MigrationEndpoint", "Test-MigrationServerAvailability",
	                    "New-MigrationBatch", "about_migsh_troubleshooting"),
	.flags = MCF_SHOULD_PROCESS,
	.process = new_endpoint_process,
};

static const mg_param get_endpoint_params[] = {
	{ "Identity", MPT_STRING, MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, MG_NAMES("Identity"), NULL, NULL,
	  MGCOMP_ENDPOINT,
	  "The name (or Guid) of the endpoint to show. Omitted: all endpoints." },
	{ "Type", MPT_ENUM, 0, -1, mg_vals_endpoint_type, MG_NAMES("Type"), NULL, NULL, MGCOMP_ENUM,
	  "Show only endpoints of this type. migsh creates IMAP endpoints only, so other values "
	  "return nothing. Cannot be combined with -Identity." },
	MG_P_DIAGNOSTICINFO,
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example get_endpoint_examples[] = {
	{ "Get-MigrationEndpoint", "Lists every endpoint.", 0, "IMAPEndpoint" },
	{ "Get-MigrationEndpoint IMAPEndpoint | Format-List EndpointType,RemoteServer,Port,Security,Max*",
	  "Shows the connection settings and both concurrency limits of the endpoint IMAPEndpoint "
	  "(Max* matches MaxConcurrentMigrations and MaxConcurrentIncrementalSyncs). "
	  "(Microsoft's IMAP migration walkthrough.)", 0, "MaxConcurrentIncrementalSyncs" },
	{ "Get-MigrationEndpoint -Identity IMAPEndpoint | Format-List",
	  "Shows every property of one endpoint.", 0, "ActiveMigrationCount" },
	{ "Get-MigrationEndpoint -Type IMAP", "Lists the IMAP endpoints.", 0, "IMAP" },
	{ "Get-MigrationEndpoint NoSuchEndpoint",
	  "An unknown name is an error.", MG_EXAMPLE_FAILS, "couldn't be found" },
	{ "migsh -c 'Get-MigrationEndpoint | Select-Object -ExpandProperty RemoteServer'",
	  "From bash: print the host name of every endpoint, one per line.",
	  MG_EXAMPLE_BASH, NULL },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_get_migration_endpoint = {
	.name = "Get-MigrationEndpoint",
	.synopsis = "Shows the settings of migration endpoints.",
	.description =
	  "Get-MigrationEndpoint returns the saved endpoints: all of them, the one named by "
	  "-Identity, or those of one -Type. Each object carries Exchange's endpoint properties "
	  "(Identity, EndpointType, RemoteServer, Port, Security, Authentication, "
	  "MaxConcurrentMigrations, MaxConcurrentIncrementalSyncs, ActiveMigrationCount, "
	  "ActiveIncrementalSyncCount, Username, Guid, IsRemote ...) plus AcceptUntrustedCertificates "
	  "and the number of batches using it (BatchCount). Passwords are never shown.",
	.params = get_endpoint_params,
	.default_set = "Identity",
	.inputs = "String or MigrationEndpoint (the Identity, by value or by property name).",
	.outputs = "MigrationEndpoint.",
	.output_type = &mg_type_endpoint,
	.examples = get_endpoint_examples,
	.notes = "The default display is a table of Identity, EndpointType and RemoteServer; use "
	         "Format-List to see every property.",
	.related = MG_NAMES("New-MigrationEndpoint", "Set-MigrationEndpoint",
	                    "Remove-MigrationEndpoint", "Test-MigrationServerAvailability"),
	.process = get_endpoint_process,
};

static const mg_param set_endpoint_params[] = {
	{ "Identity", MPT_STRING, MPF_MANDATORY | MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, NULL,
	  NULL, NULL, MGCOMP_ENDPOINT, "The name (or Guid) of the endpoint to change." },
	{ "RemoteServer", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "New host name of the IMAP server." },
	{ "Port", MPT_INT, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, "New TCP port." },
	{ "Security", MPT_ENUM, 0, -1, mg_security_names, NULL, NULL, NULL, MGCOMP_ENUM,
	  "New security mode: None, Ssl (implicit TLS) or Tls (STARTTLS)." },
	{ "AcceptUntrustedCertificates", MPT_BOOL, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "$true to stop verifying the server certificate, $false to verify it again. A Boolean "
	  "here, not a switch: -AcceptUntrustedCertificates $true." },
	{ "Authentication", MPT_ENUM, 0, -1, mg_auth_names, NULL, NULL, NULL, MGCOMP_ENUM,
	  "New login mechanism (Basic, Ntlm; CramMd5 and XOAuth2 are extensions)." },
	{ "MaxConcurrentMigrations", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "New limit of mailboxes in initial synchronization at once." },
	{ "MaxConcurrentIncrementalSyncs", MPT_UNLIMITED, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "New limit of mailboxes in incremental synchronization at once (at most "
	  "MaxConcurrentMigrations)." },
	{ "SkipVerification", MPT_SWITCH, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Save the changes without testing the connection. Without it a change of RemoteServer, "
	  "Port, Security, AcceptUntrustedCertificates or Authentication is tested first and not "
	  "saved when the connection fails." },
	{ "Credentials", MPT_CREDENTIAL, MPF_EXTENSION | MPF_SECRET, -1, NULL, NULL, NULL, NULL,
	  MGCOMP_NONE, "migsh extension: new administrator credentials for a target endpoint." },
	{ "MasterUserSeparator", MPT_STRING, MPF_EXTENSION, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "migsh extension for target endpoints: log in to each mailbox as "
	  "<EmailAddress><separator><admin user> (Dovecot's master-user login, separator *) "
	  "instead of AUTHENTICATE PLAIN with the EmailAddress as authorization identity (the "
	  "default). An empty string restores the default." },
	{ "UserName", MPT_STRING, MPF_EXTENSION, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "migsh extension: new administrator login for a target endpoint." },
	{ "Password", MPT_STRING, MPF_EXTENSION | MPF_SECRET, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "migsh extension: new administrator password for a target endpoint (never shown)." },
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example set_endpoint_examples[] = {
	{ "Set-MigrationEndpoint -Identity IMAPEndpoint -MaxConcurrentMigrations 10 -MaxConcurrentIncrementalSyncs 5",
	  "Lowers the concurrency limits of IMAPEndpoint (adapted from Microsoft's example). The "
	  "new limits apply the next time a batch using the endpoint is processed.", 0, NULL },
	{ "Set-MigrationEndpoint IMAPEndpoint -Port 143 -Security Tls; Get-MigrationEndpoint IMAPEndpoint | Format-List Port,Security",
	  "Switches the endpoint to STARTTLS on port 143; the connection is tested before the "
	  "change is saved.", 0, "Tls" },
	{ "Set-MigrationEndpoint IMAPEndpoint -MaxConcurrentMigrations 5 -MaxConcurrentIncrementalSyncs 10",
	  "Refused: the incremental limit would exceed MaxConcurrentMigrations.",
	  MG_EXAMPLE_FAILS, "MaxConcurrentIncrementalSyncs" },
	{ "Get-MigrationEndpoint IMAPEndpoint | Set-MigrationEndpoint -MaxConcurrentMigrations 20",
	  "The endpoint can be piped in.", 0, NULL },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_set_migration_endpoint = {
	.name = "Set-MigrationEndpoint",
	.synopsis = "Changes the settings of a migration endpoint.",
	.description =
	  "Set-MigrationEndpoint changes the connection settings or concurrency limits of a saved "
	  "endpoint. When a connection setting changes, the new settings are tested first (unless "
	  "-SkipVerification) and nothing is saved if the server cannot be reached. New settings "
	  "take effect the next time a batch using the endpoint is processed; "
	  "Set-MigrationBatch -Update makes a running batch pick them up at once. Nothing is "
	  "written to the pipeline on success.",
	.params = set_endpoint_params,
	.inputs = "String or MigrationEndpoint (the Identity).",
	.outputs = "None.",
	.examples = set_endpoint_examples,
	.notes = "-AcceptUntrustedCertificates is a Boolean on Set-MigrationEndpoint (a switch on "
	         "New-MigrationEndpoint), as in Exchange.",
	.related = MG_NAMES("New-MigrationEndpoint", "Get-MigrationEndpoint",
	                    "Test-MigrationServerAvailability", "Set-MigrationBatch"),
	.flags = MCF_SHOULD_PROCESS,
	.process = set_endpoint_process,
};

static const mg_param remove_endpoint_params[] = {
	{ "Identity", MPT_STRING, MPF_MANDATORY | MPF_PIPE_VALUE | MPF_PIPE_PROPNAME, 0, NULL, NULL,
	  NULL, NULL, MGCOMP_ENDPOINT, "The name (or Guid) of the endpoint to remove." },
	MG_P_DOMAINCONTROLLER,
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example remove_endpoint_examples[] = {
	{ "Remove-MigrationEndpoint -Identity IMAPEndpoint1",
	  "Removes the endpoint IMAPEndpoint1 after asking for confirmation.", MG_EXAMPLE_TTY,
	  "Are you sure you want to perform this action?" },
	{ "Remove-MigrationEndpoint -Identity IMAPEndpoint1 -Confirm:$false",
	  "Removes it without asking (for scripts).", 0, NULL },
	{ "Remove-MigrationEndpoint IMAPEndpoint -Confirm:$false",
	  "Refused while a migration batch still uses the endpoint: remove the batch first.",
	  MG_EXAMPLE_FAILS, "IMAPBatch1" },
	{ "Remove-MigrationEndpoint IMAPEndpoint1 -WhatIf",
	  "Shows what would be removed without removing it.", 0, "What if" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_remove_migration_endpoint = {
	.name = "Remove-MigrationEndpoint",
	.synopsis = "Removes a migration endpoint.",
	.description =
	  "Remove-MigrationEndpoint deletes a saved endpoint and any credentials stored with it. "
	  "It asks for confirmation unless -Confirm:$false is given. An endpoint that a migration "
	  "batch still uses (as source or target) is not removed; the error names the batches.",
	.params = remove_endpoint_params,
	.inputs = "String or MigrationEndpoint (the Identity).",
	.outputs = "None.",
	.examples = remove_endpoint_examples,
	.notes = "Without a terminal migsh cannot ask; then add -Confirm:$false.",
	.related = MG_NAMES("New-MigrationEndpoint", "Get-MigrationEndpoint",
	                    "Remove-MigrationBatch"),
	.flags = MCF_SHOULD_PROCESS | MCF_CONFIRM_HIGH,
	.process = remove_endpoint_process,
};
