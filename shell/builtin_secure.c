/*
 * builtin_secure.c - ConvertTo-SecureString and Get-Credential, and the
 * PSCredential objects they and New-Object make.  Secrets live only in the
 * session's SecureString registry (shell/secure.h): a SecureString prints
 * as System.Security.SecureString, a credential as its user name and that
 * text, never the password.
 */
#include "config.h"
#include "shell/builtin_util.h"
#include "shell/builtins.h"
#include "shell/secure.h"
#include "shell/session.h"
#include "common/mem.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>

static const char *const cred_dp[] = { "UserName", "Password", NULL };
const mv_type_info mg_type_credential = { "System.Management.Automation.PSCredential", cred_dp, 1, NULL };

mv *mg_credential_new(const char *user, mv *secure)
{
	mv *o = mv_object(&mg_type_credential);
	mv_set_str(o, "UserName", user);
	mv_set(o, "Password", secure);
	return o;
}

/* ---- ConvertTo-SecureString ---- */

static int cts_process(mg_ctx *c, mv *input)
{
	mv *v = input ? input : mg_arg(c, "String");
	if (!mg_switch(c, "AsPlainText")) {
		mg_err_set(&c->err, MGC_INVALIDARG, "ImportSecureString",
		           "ConvertTo-SecureString: only -AsPlainText is supported (an encrypted "
		           "standard string from ConvertFrom-SecureString on Windows cannot be read "
		           "here). Use ConvertTo-SecureString 'text' -AsPlainText -Force.");
		return -1;
	}
	if (mg_secure_is(c->session, v))
		return mg_emit(c, v);
	char *s = v ? mv_to_string(v) : xstrdup("");
	mv *sec = mg_secure_new(c->session, s);
	mg_wipe(s, strlen(s));
	free(s);
	return mg_emit_take(c, sec);
}

static const mg_param cts_params[] = {
	{ "String", MPT_STRING, MPF_MANDATORY | MPF_PIPE_VALUE | MPF_SECRET, 0, NULL, NULL, NULL, NULL,
	  MGCOMP_NONE, "The text to protect." },
	{ "AsPlainText", MPT_SWITCH, 0, 1, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "The string is plain text (the only form supported)." },
	{ "Force", MPT_SWITCH, 0, 2, NULL, NULL, NULL, "False", MGCOMP_NONE,
	  "Accepted (Windows PowerShell 5.1 needs it with -AsPlainText; PowerShell 7 does not)." },
	{ "Key", MPT_OBJECT, MPF_IGNORED, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "Not supported: encrypted strings cannot be read." },
	P_END
};

static const mg_example cts_examples[] = {
	{ "$pw = ConvertTo-SecureString 'P@ssw0rd' -AsPlainText -Force; $pw",
	  "Prints System.Security.SecureString, never the password.", 0, "System.Security.SecureString" },
	EX_END
};

const mg_cmdlet mg_cmd_convertto_securestring = {
	.name = "ConvertTo-SecureString",
	.synopsis = "Makes a SecureString from plain text.",
	.description = "ConvertTo-SecureString -AsPlainText turns a string into a SecureString, "
	               "which prints as System.Security.SecureString and can be used as the "
	               "password of a PSCredential (New-Object PSCredential) or in "
	               "-Credentials. The text is kept in the session and never shown.",
	.params = cts_params,
	.inputs = "System.String",
	.outputs = "System.Security.SecureString",
	.examples = cts_examples,
	.related = MG_NAMES("Get-Credential", "New-Object"),
	.process = cts_process,
};

/* ---- Get-Credential ---- */

static int gcred_process(mg_ctx *c, mv *input)
{
	(void)input;
	mv *given = mg_arg(c, "Credential");
	if (given && given->kind == MV_OBJECT && mv_get(given, "Password"))
		return mg_emit(c, given);
	const char *user = mg_arg_str(c, "UserName");
	if (!user && given)
		user = mg_arg_str(c, "Credential");
	if (!mg_interactive(c)) {
		mg_err_set(&c->err, MGC_INVALIDOP, "GetCredentialNonInteractive",
		           "Get-Credential cannot ask for a user name and password: there is no "
		           "terminal (PowerShell is in NonInteractive mode). Build the credential in "
		           "the script instead: New-Object System.Management.Automation.PSCredential "
		           "('user', (ConvertTo-SecureString 'password' -AsPlainText -Force)).");
		return -1;
	}
	const char *title = mg_arg_str(c, "Title");
	const char *msg = mg_arg_str(c, "Message");
	mg_host(c, "\n%s\n%s\n", title ? title : "PowerShell credential request",
	        msg ? msg : "Enter your credentials.");
	char *u = user ? xstrdup(user) : mg_prompt(c, "User: ", false);
	if (!u) {
		mg_err_set(&c->err, MGC_INVALIDOP, "GetCredentialNoInput", "Get-Credential: no user name was given.");
		return -1;
	}
	char *prompt = xasprintf("Password for user %s: ", u);
	char *pw = mg_prompt(c, prompt, true);
	free(prompt);
	if (!pw) {
		free(u);
		mg_err_set(&c->err, MGC_INVALIDOP, "GetCredentialNoInput", "Get-Credential: no password was given.");
		return -1;
	}
	mv *sec = mg_secure_new(c->session, pw);
	mg_wipe(pw, strlen(pw));
	free(pw);
	mv *cred = mg_credential_new(u, sec);
	mv_unref(sec);
	free(u);
	return mg_emit_take(c, cred);
}

static const mg_param gcred_params[] = {
	{ "Credential", MPT_OBJECT, 0, 0, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "A user name to ask the password for, or a credential (returned as it is)." },
	{ "UserName", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The user name; only the password is asked for." },
	{ "Message", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The text shown above the prompts." },
	{ "Title", MPT_STRING, 0, -1, NULL, NULL, NULL, NULL, MGCOMP_NONE,
	  "The heading shown above the prompts." },
	P_END
};

static const mg_example gcred_examples[] = {
	{ "$cred = Get-Credential -UserName mailadmin; $cred.UserName",
	  "Asks for the password of mailadmin (not echoed) and keeps the credential.", MG_EXAMPLE_TTY,
	  "Password for user mailadmin: " },
	EX_END
};

const mg_cmdlet mg_cmd_get_credential = {
	.name = "Get-Credential",
	.synopsis = "Asks for a user name and password and returns a credential.",
	.description = "Get-Credential asks at the terminal for a user name (unless -UserName "
	               "is given) and a password (not echoed) and writes a PSCredential whose "
	               "Password is a SecureString. Without a terminal it fails with an error "
	               "that says how to build the credential in the script instead.",
	.params = gcred_params,
	.inputs = "None",
	.outputs = "System.Management.Automation.PSCredential",
	.output_type = &mg_type_credential,
	.examples = gcred_examples,
	.related = MG_NAMES("ConvertTo-SecureString", "New-Object"),
	.process = gcred_process,
};
