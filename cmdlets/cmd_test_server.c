/*
 * cmd_test_server.c - Test-MigrationServerAvailability: can migsh reach an
 * IMAP server (and, as an extension, log in to it)?  A failed connection is
 * a result object (Result = Failed, Message naming the cause), never an
 * error record; errors are only for unusable arguments or unknown endpoints.
 */
#include "config.h"
#include "cmdlets/cmd_common.h"
#include "cmdlets/endpoint_conn.h"
#include "cmdlets/types.h"
#include "common/mem.h"
#include "common/str.h"
#include "shell/session.h"
#include "net/probe.h"

#include <stdlib.h>
#include <string.h>

/* -Verbose: the (redacted) protocol trace. */
static void trace_line(void *arg, const char *line)
{
	mg_verbose((mg_ctx *)arg, "%s", line);
}

static mv *str_or_null(const char *s)
{
	return s && *s ? mv_string(s) : mv_null();
}

/* Build the result object (reference section 12.6 plus our extras). */
static mv *result_object(const mg_conn_params *p, const char *endpoint,
                         const mg_probe_result *r)
{
	mv *o = mv_object(&mg_type_test_result);
	mv_set_str(o, "Result", r->success ? "Success" : "Failed");
	if (r->success && !r->message[0])
		mv_set_str(o, "Message", NULL);
	else
		mv_set_str(o, "Message", r->message[0] ? r->message : NULL);
	mv_set_take(o, "ConnectionSettings",
	            mv_stringf("RemoteServer: %s; Port: %d; Security: %s; Authentication: %s%s",
	                       p->host, p->port, mg_security_name(p->security),
	                       mg_auth_name(p->auth),
	                       p->accept_untrusted ? "; AcceptUntrustedCertificates: True" : ""));
	mv_set_bool(o, "SupportsCutover", false);
	mv_set_take(o, "ErrorDetail", r->success ? mv_null() : str_or_null(r->error_detail));
	/* migsh extras */
	mv_set_take(o, "Endpoint", str_or_null(endpoint));
	mv_set_str(o, "RemoteServer", p->host);
	mv_set_int(o, "Port", p->port);
	mv_set_str(o, "Security", mg_security_name(p->security));
	mv_set_str(o, "Authentication", mg_auth_name(p->auth));
	mv_set_take(o, "FailedStage", r->success ? mv_null() : str_or_null(r->stage));
	mv_set_take(o, "ErrorId", r->success ? mv_null() : str_or_null(r->error_id));
	mv_set_take(o, "Address", str_or_null(r->address));
	mv_set_take(o, "Greeting", str_or_null(r->greeting));
	mv_set_take(o, "ServerId", str_or_null(r->server_id));
	mv *caps = mv_array();
	if (r->capabilities[0]) {
		char *copy = xstrdup(r->capabilities);
		for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
			mv_array_push_take(caps, mv_string(t));
		free(copy);
	}
	mv_set_take(o, "Capabilities", caps);
	mv_set_take(o, "TlsVersion", r->tls ? str_or_null(r->tls_version) : mv_null());
	mv_set_take(o, "TlsCipher", r->tls ? str_or_null(r->tls_cipher) : mv_null());
	mv_set_take(o, "CertificateSubject", str_or_null(r->cert_subject));
	mv_set_take(o, "CertificateIssuer", str_or_null(r->cert_issuer));
	mv_set_take(o, "CertificateExpires", r->cert_not_after_epoch
	            ? mv_datetime(r->cert_not_after_epoch, 0) : mv_null());
	mv_set_bool(o, "CertificateVerified", r->tls && !r->verification_off);
	mv_set_bool(o, "LoginTested", r->login_tested);
	mv_set_take(o, "LoginSucceeded", r->login_tested ? mv_bool(r->login_ok) : mv_null());
	mv_set_int(o, "ConnectMilliseconds", r->connect_ms);
	mv_set_int(o, "RoundTripMilliseconds", r->round_trip_ms);
	mv_set_int(o, "TotalMilliseconds", r->total_ms);
	return o;
}

static int test_server_process(mg_ctx *c, mv *input)
{
	(void)input;
	mg_ep_conn ec;
	memset(&ec, 0, sizeof ec);
	char *cred_user = NULL, *cred_pass = NULL;
	int rc = -1;

	int have_cred = mg_arg_credential(c, "Credentials", &cred_user, &cred_pass);
	if (have_cred < 0)
		return -1;

	const char *endpoint = mg_arg_nonempty(c, "Endpoint");
	if (endpoint) {
		if (mg_ep_conn_load(c, endpoint, &ec, &c->err) < 0)
			goto out;
	} else {
		if (!mg_switch(c, "IMAP")) {
			mg_err_set(&c->err, MGC_INVALIDARG, "UnsupportedEndpointType",
			           "Only IMAP servers can be tested: add -IMAP (or use -Endpoint <name>).");
			goto out;
		}
		const char *host = mg_arg_nonempty(c, "RemoteServer");
		if (!host) {
			mg_err_set(&c->err, MGC_INVALIDARG, "MissingRemoteServer",
			           "-RemoteServer is empty: give the IMAP server's host name.");
			goto out;
		}
		ec.host = xstrdup(host);
		ec.p.host = ec.host;
		long long port = 0;
		mv *pv = mg_arg(c, "Port");
		if (!pv || mv_to_ll(pv, &port) < 0 || port < 1 || port > 65535) {
			mg_err_set(&c->err, MGC_INVALIDARG, "InvalidPort",
			           "-Port must be a TCP port between 1 and 65535 (993 for Ssl, 143 for "
			           "None or Tls).");
			goto out;
		}
		ec.p.port = (int)port;
		ec.p.security = (mg_security)mg_arg_enum(c, "Security", MG_SEC_SSL);
		ec.p.auth = (mg_auth)mg_arg_enum(c, "Authentication", MG_AUTH_BASIC);
		ec.p.accept_untrusted = mg_switch(c, "AcceptUntrustedCertificates");
	}
	ec.p.compress = false;
	if (mg_verbose_on(c)) {
		ec.p.trace = trace_line;
		ec.p.trace_arg = c;
	}
	if (ec.p.accept_untrusted)
		mg_warn_untrusted(c, ec.p.host, ec.p.port);

	const char *user = have_cred > 0 ? cred_user : NULL;
	const char *pass = have_cred > 0 ? cred_pass : NULL;

	char target[512];
	snprintf(target, sizeof target, "%s:%d", ec.p.host, ec.p.port);
	int go = mg_cmd_confirm(c, target, "Test-MigrationServerAvailability");
	if (go <= 0) {
		rc = go;
		goto out;
	}

	mg_probe_result r;
	memset(&r, 0, sizeof r);
	ec.p.cancel = c->session->interrupted;   /* Ctrl-C stops a hanging connection */
	if (mg_probe_server(&ec.p, user, pass, &r, &c->err) < 0) {
		if (c->err.category == MGC_STOPPED)   /* reported as a stopped pipeline, like Start-Sleep */
			mg_err_set(&c->err, MGC_STOPPED, "PipelineStopped", "The pipeline has been stopped.");
		goto out;
	}
	mg_verbose(c, "Test-MigrationServerAvailability: %s:%d %s: %s (stage %s, %ld ms)",
	           ec.p.host, ec.p.port, mg_security_name(ec.p.security),
	           r.success ? "Success" : "Failed", r.stage, r.total_ms);
	rc = mg_emit_take(c, result_object(&ec.p, endpoint ? ec.name : NULL, &r));
out:
	free(cred_user);
	mg_secret_free(cred_pass);
	mg_ep_conn_free(&ec);
	return rc;
}

/* ---------------------------------------------------------------- declaration */

static const mg_param test_server_params[] = {
	{ "Imap", MPT_SWITCH, MPF_MANDATORY, -1, NULL, MG_NAMES("IMAP"), NULL, NULL, MGCOMP_NONE,
	  "Selects the IMAP form: test the server given by -RemoteServer, -Port and -Security." },
	{ "RemoteServer", MPT_STRING, MPF_MANDATORY, -1, NULL, MG_NAMES("IMAP"), NULL, NULL, MGCOMP_NONE,
	  "Host name (FQDN) or address of the IMAP server to test." },
	{ "Port", MPT_INT, MPF_MANDATORY, -1, NULL, MG_NAMES("IMAP"), NULL, NULL, MGCOMP_NONE,
	  "TCP port to test. Mandatory here (unlike New-MigrationEndpoint): 993 for Ssl, 143 for "
	  "None or Tls." },
	{ "Security", MPT_ENUM, 0, -1, mg_security_names, MG_NAMES("IMAP"), NULL, "Ssl", MGCOMP_ENUM,
	  "None (plain), Ssl (implicit TLS) or Tls (STARTTLS; refused when the server does not "
	  "offer it)." },
	{ "AcceptUntrustedCertificates", MPT_SWITCH, 0, -1, NULL, MG_NAMES("IMAP"), NULL, NULL, MGCOMP_NONE,
	  "Do not verify the server certificate (self-signed, expired, wrong name). migsh warns "
	  "loudly; the result shows CertificateVerified False." },
	{ "Authentication", MPT_ENUM, 0, -1, mg_auth_names, MG_NAMES("IMAP"), NULL, "Basic", MGCOMP_ENUM,
	  "Login mechanism used with -Credentials: Basic or Ntlm (CramMd5, XOAuth2 extensions)." },
	{ "Endpoint", MPT_STRING, MPF_MANDATORY, -1, NULL, MG_NAMES("Endpoint"), NULL, NULL, MGCOMP_ENDPOINT,
	  "Selects the endpoint form: test the saved endpoint with this name, with its own "
	  "settings." },
	{ "TestCredentials", MPT_STRING, MPF_IGNORED, -1, NULL, MG_NAMES("Endpoint"), NULL, NULL, MGCOMP_NONE,
	  "Exchange: a mailbox whose credentials to test. Accepted and ignored; use -Credentials." },
	{ "Credentials", MPT_CREDENTIAL, MPF_EXTENSION | MPF_SECRET, -1, NULL, NULL, NULL, NULL,
	  MGCOMP_NONE,
	  "migsh extension: also log in with this user name and password (user,password or a "
	  "credential object) and report LoginSucceeded. Admin formats such as user*mailadmin "
	  "are passed through unchanged. The password is never shown." },
	MG_P_PARTITION,
	MG_P_END
};

static const mg_example test_server_examples[] = {
	{ "Test-MigrationServerAvailability -IMAP -RemoteServer imap.contoso.com -Port 993 -Security Ssl",
	  "Tests the connection to an IMAP server that uses implicit TLS on port 993. "
	  "(Microsoft's IMAP migration walkthrough.)", 0, "Success" },
	{ "Test-MigrationServerAvailability -IMAP -RemoteServer imap.contoso.com -Port 143 -Security Tls",
	  "Tests STARTTLS on the plain port.", 0, "Success" },
	{ "Test-MigrationServerAvailability -Imap -RemoteServer imap.contoso.com -Port 143 -Security None",
	  "Tests a plain-text connection (as in Microsoft's reference example).", 0, "Success" },
	{ "Test-MigrationServerAvailability -Endpoint IMAPEndpoint",
	  "Tests a saved endpoint with its own settings.", 0, "Success" },
	{ "Test-MigrationServerAvailability -IMAP -RemoteServer imap.contoso.com -Port 9993 -Security Ssl | Format-List Result,Message",
	  "A server that cannot be reached is reported in the result (Result Failed, Message "
	  "naming the cause), not as an error, so scripts can test $r.Result.", 0, "Failed" },
	{ "Test-MigrationServerAvailability -IMAP -RemoteServer imap.contoso.com -Port 993 -Security Ssl | Format-List TlsVersion,Certificate*,Capabilities,RoundTripMilliseconds",
	  "migsh extension: show the TLS version, the server certificate, the capabilities and "
	  "the round-trip time.", 0, "CertificateSubject" },
	{ "Test-MigrationServerAvailability -IMAP -RemoteServer imap.contoso.com -Port 993 -Security Ssl -Credentials 'terrya*mailadmin','Master-Pass-456' | Format-List Result,LoginSucceeded",
	  "migsh extension: also test a login, here a Dovecot master-user (admin) login.",
	  0, "LoginSucceeded" },
	{ "migsh -c '$r = Test-MigrationServerAvailability -IMAP -RemoteServer imap.contoso.com -Port 993 -Security Ssl; if ($r.Result -ne \"Success\") { $r.Message; exit 2 }'",
	  "From bash or cron: exit status 2 and the reason when the server cannot be reached.",
	  MG_EXAMPLE_BASH, NULL },
	{ "Test-MigrationServerAvailability -Endpoint NoSuchEndpoint",
	  "An unknown endpoint is an error.", MG_EXAMPLE_FAILS, "couldn't be found" },
	{ NULL, NULL, 0, NULL }
};

const mg_cmdlet mg_cmd_test_migration_server_availability = {
	.name = "Test-MigrationServerAvailability",
	.synopsis = "Tests whether migsh can connect to an IMAP server or a saved endpoint.",
	.description =
	  "Test-MigrationServerAvailability connects to an IMAP server the way a migration will: "
	  "name lookup and TCP connection (every address of the host name in turn; each within "
	  "the 10 s connect timeout, which a DNS server that does not answer cannot stretch), TLS (Ssl) or "
	  "STARTTLS (Tls) with certificate and host name verification, the IMAP greeting, "
	  "CAPABILITY, ID and a NOOP round trip.\n\n"
	  "It returns one object: Result (Success or Failed), Message (the cause and what to do), "
	  "ConnectionSettings, SupportsCutover (always False for IMAP) and ErrorDetail (the "
	  "technical detail). A failed connection is reported in this object, not as an error, "
	  "so $?, -ErrorAction and exit codes do not change because a server is down.\n\n"
	  "migsh adds: FailedStage (connect, greeting, tls, starttls, capability, login), "
	  "ErrorId, Address, Greeting, ServerId, Capabilities, TlsVersion, TlsCipher, "
	  "CertificateSubject, CertificateIssuer, CertificateExpires, CertificateVerified, "
	  "LoginTested, LoginSucceeded, ConnectMilliseconds, RoundTripMilliseconds and "
	  "TotalMilliseconds; and -Credentials to test a login.",
	.params = test_server_params,
	.default_set = "IMAP",
	.inputs = "None.",
	.outputs = "TestMigrationServerAvailabilityResult (shown as a list of Exchange's properties: Result, Message, ConnectionSettings, SupportsCutover, ErrorDetail; Format-List * adds the migsh diagnostics).",
	.output_type = &mg_type_test_result,
	.examples = test_server_examples,
	.notes =
	  "Certificate failures name the check that failed (expired, wrong host name, unknown "
	  "issuer) and the certificate subject. To trust a private CA set SSL_CERT_FILE (or "
	  "SSL_CERT_DIR) for migsh; -AcceptUntrustedCertificates turns verification off "
	  "entirely. See about_migsh_troubleshooting.",
	.related = MG_NAMES("New-MigrationEndpoint", "Get-MigrationEndpoint",
	                    "about_migsh_troubleshooting"),
	.flags = MCF_SHOULD_PROCESS,
	.process = test_server_process,
};
