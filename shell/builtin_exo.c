/*
 * builtin_exo.c - the lines at the top of every Exchange Online script:
 * Connect-ExchangeOnline, Disconnect-ExchangeOnline and
 * Import-Module ExchangeOnlineManagement.  migsh works on its local data
 * directory, so they do nothing; the first one used in a session says so
 * once on the warning stream, and the pasted script runs on.
 */
#include "config.h"
#include "shell/builtins.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdlib.h>

#define EXO_SLOT "exo.warned"

static void no_release(void *p)
{
	(void)p;
}

/* the one warning per session */
static void warn_once(mg_ctx *c, const char *what)
{
	if (mg_session_slot(c->session, EXO_SLOT))
		return;
	mg_session_set_slot(c->session, EXO_SLOT, (void *)EXO_SLOT, no_release);
	mg_warning(c, "%s does nothing in migsh: the migration cmdlets work on the local data "
	           "directory (%s), with no connection to Exchange Online.", what, mg_home(c));
}

static int connect_process(mg_ctx *c, mv *input)
{
	(void)input;
	warn_once(c, "Connect-ExchangeOnline");
	return 0;
}

static int disconnect_process(mg_ctx *c, mv *input)
{
	(void)input;
	warn_once(c, "Disconnect-ExchangeOnline");
	return 0;
}

static int import_process(mg_ctx *c, mv *input)
{
	(void)input;
	mv *names = mg_arg(c, "Name");
	size_t n = names && names->kind == MV_ARRAY ? names->u.arr.n : 1;
	for (size_t i = 0; i < n; i++) {
		mv *v = names && names->kind == MV_ARRAY ? names->u.arr.items[i] : names;
		char *name = v ? mv_to_string(v) : xstrdup("");
		if (str_ieq(name, "ExchangeOnlineManagement")) {
			warn_once(c, "Import-Module ExchangeOnlineManagement");
		} else {
			mg_err e;
			mg_err_set(&e, MGC_RESOURCE, "Modules_ModuleNotFound",
			           "The specified module '%s' was not loaded because no valid module file was found in any "
			           "module directory. migsh has no modules besides ExchangeOnlineManagement (built in).",
			           name);
			mg_error(c, &e, name);
		}
		free(name);
	}
	return 0;
}

#define IGN(name, type, help) \
	{ name, type, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE, help }

static const mg_param connect_params[] = {
	IGN("UserPrincipalName", MPT_STRING, "The admin account (ignored: migsh does not connect)."),
	IGN("Credential", MPT_CREDENTIAL, "Credentials (ignored)."),
	IGN("ShowBanner", MPT_SWITCH, "Show the connection banner (ignored)."),
	IGN("ShowProgress", MPT_BOOL, "Show progress (ignored)."),
	IGN("Organization", MPT_STRING, "The organization for app-only sign-in (ignored)."),
	IGN("AppId", MPT_STRING, "The application id for app-only sign-in (ignored)."),
	IGN("CertificateThumbprint", MPT_STRING, "Certificate for app-only sign-in (ignored)."),
	IGN("CertificateFilePath", MPT_STRING, "Certificate file for app-only sign-in (ignored)."),
	{ "CertificatePassword", MPT_OBJECT, MPF_IGNORED | MPF_SECRET, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Password of the certificate file (ignored, never shown)." },
	IGN("Certificate", MPT_OBJECT, "Certificate object (ignored)."),
	IGN("DelegatedOrganization", MPT_STRING, "Customer tenant of a partner (ignored)."),
	IGN("ExchangeEnvironmentName", MPT_STRING, "Cloud environment (ignored)."),
	IGN("ConnectionUri", MPT_STRING, "Connection endpoint (ignored)."),
	IGN("AzureADAuthorizationEndpointUri", MPT_STRING, "Sign-in endpoint (ignored)."),
	IGN("Device", MPT_SWITCH, "Device-code sign-in (ignored)."),
	IGN("InlineCredential", MPT_SWITCH, "Credentials typed in the console (ignored)."),
	IGN("ManagedIdentity", MPT_SWITCH, "Managed identity sign-in (ignored)."),
	IGN("ManagedIdentityAccountId", MPT_STRING, "User-assigned managed identity (ignored)."),
	IGN("AccessToken", MPT_STRING, "OAuth access token (ignored)."),
	IGN("Prefix", MPT_STRING, "Prefix for the cmdlet nouns (ignored)."),
	IGN("CommandName", MPT_STRINGS, "Cmdlets to load (ignored)."),
	IGN("FormatTypeName", MPT_STRINGS, "Format data to load (ignored)."),
	IGN("SkipLoadingFormatData", MPT_SWITCH, "Skip the format data (ignored)."),
	IGN("SkipLoadingCmdletHelp", MPT_SWITCH, "Skip the cmdlet help (ignored)."),
	IGN("PSSessionOption", MPT_OBJECT, "Remote session options (ignored)."),
	IGN("BypassMailboxAnchoring", MPT_SWITCH, "Mailbox anchoring (ignored)."),
	IGN("UseRPSSession", MPT_SWITCH, "Remote PowerShell session (ignored)."),
	IGN("TrackPerformance", MPT_BOOL, "Performance logging (ignored)."),
	IGN("UseMultithreading", MPT_BOOL, "Multithreading (ignored)."),
	IGN("PageSize", MPT_INT, "Page size of results (ignored)."),
	IGN("EnableErrorReporting", MPT_SWITCH, "Error reporting (ignored)."),
	IGN("LogDirectoryPath", MPT_STRING, "Log directory (ignored)."),
	IGN("LogLevel", MPT_STRING, "Log level (ignored)."),
	P_END
};

static const mg_param disconnect_params[] = {
	IGN("ConnectionId", MPT_STRINGS, "Connections to close (ignored)."),
	IGN("ModulePrefix", MPT_STRINGS, "Prefixes of the connections to close (ignored)."),
	P_END
};

static const mg_param import_params[] = {
	{ "Name", MPT_STRINGS, MPF_MANDATORY, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The module: ExchangeOnlineManagement is built in; any other name is an error." },
	IGN("MinimumVersion", MPT_STRING, "Lowest version (ignored)."),
	IGN("RequiredVersion", MPT_STRING, "Exact version (ignored)."),
	IGN("Force", MPT_SWITCH, "Reload the module (ignored)."),
	IGN("Global", MPT_SWITCH, "Import into the global scope (ignored)."),
	IGN("Prefix", MPT_STRING, "Prefix for the cmdlet nouns (ignored)."),
	IGN("DisableNameChecking", MPT_SWITCH, "Suppress the verb check (ignored)."),
	IGN("Scope", MPT_STRING, "Scope (ignored)."),
	IGN("PassThru", MPT_SWITCH, "Return the module (ignored)."),
	P_END
};

static const mg_example connect_examples[] = {
	{ "Connect-ExchangeOnline -UserPrincipalName admin@contoso.edu -ShowBanner:$false",
	  "The first line of a script written for Exchange Online: accepted, with one warning, so the "
	  "rest of the script runs against the local data directory.", 0, NULL },
	EX_END
};

static const mg_example disconnect_examples[] = {
	{ "Disconnect-ExchangeOnline -Confirm:$false", "The last line of such a script: does nothing.", 0, NULL },
	EX_END
};

static const mg_example import_examples[] = {
	{ "Import-Module ExchangeOnlineManagement", "Accepted: the Exchange cmdlets are built into migsh.",
	  0, NULL },
	EX_END
};

const mg_cmdlet mg_cmd_connect_exchangeonline = {
	.name = "Connect-ExchangeOnline",
	.synopsis = "Accepted for Exchange Online scripts; does nothing in migsh.",
	.description = "In Exchange Online PowerShell this signs in to the tenant. migsh works on its "
	               "local data directory, so it does nothing but say so once per session on the "
	               "warning stream; every parameter is accepted and ignored.",
	.params = connect_params,
	.inputs = "None",
	.outputs = "None",
	.examples = connect_examples,
	.related = MG_NAMES("Disconnect-ExchangeOnline", "Import-Module"),
	.flags = MCF_EXTENSION,
	.process = connect_process,
};

const mg_cmdlet mg_cmd_disconnect_exchangeonline = {
	.name = "Disconnect-ExchangeOnline",
	.synopsis = "Accepted for Exchange Online scripts; does nothing in migsh.",
	.description = "In Exchange Online PowerShell this closes the connection. migsh has none: it "
	               "does nothing (and warns once per session, like Connect-ExchangeOnline).",
	.params = disconnect_params,
	.inputs = "None",
	.outputs = "None",
	.examples = disconnect_examples,
	.related = MG_NAMES("Connect-ExchangeOnline"),
	.flags = MCF_EXTENSION | MCF_SHOULD_PROCESS,
	.process = disconnect_process,
};

const mg_cmdlet mg_cmd_import_module = {
	.name = "Import-Module",
	.aliases = MG_NAMES("ipmo"),
	.synopsis = "Accepts Import-Module ExchangeOnlineManagement; migsh has no other modules.",
	.description = "The Exchange cmdlets are built into migsh, so importing ExchangeOnlineManagement "
	               "does nothing (with one warning per session). Any other module name is an error "
	               "naming the module.",
	.params = import_params,
	.inputs = "None",
	.outputs = "None",
	.examples = import_examples,
	.related = MG_NAMES("Connect-ExchangeOnline"),
	.flags = MCF_EXTENSION,
	.process = import_process,
};
