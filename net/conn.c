/* conn.c - names and parsing of the -Security and -Authentication values (net/conn.h). */
#include "config.h"
#include "net/conn.h"
#include "common/str.h"

const char *const mg_security_names[] = {
	[MG_SEC_NONE] = "None", [MG_SEC_SSL] = "Ssl", [MG_SEC_TLS] = "Tls", NULL
};

const char *const mg_auth_names[] = {
	[MG_AUTH_BASIC] = "Basic", [MG_AUTH_NTLM] = "Ntlm", [MG_AUTH_CRAMMD5] = "CramMd5",
	[MG_AUTH_XOAUTH2] = "XOAuth2", NULL
};

/* The index of s in a NULL-terminated table (case-insensitive), or -1. */
static int lookup(const char *const *names, const char *s)
{
	for (int i = 0; s && names[i]; i++)
		if (str_ieq(s, names[i]))
			return i;
	return -1;
}

const char *mg_security_name(mg_security s)
{
	return (unsigned)s <= MG_SEC_TLS ? mg_security_names[s] : mg_security_names[MG_SEC_NONE];
}

int mg_security_parse(const char *s, mg_security *out)
{
	int i = lookup(mg_security_names, s);
	if (i < 0)
		return -1;
	*out = (mg_security)i;
	return 0;
}

const char *mg_auth_name(mg_auth a)
{
	return (unsigned)a <= MG_AUTH_XOAUTH2 ? mg_auth_names[a] : mg_auth_names[MG_AUTH_BASIC];
}

int mg_auth_parse(const char *s, mg_auth *out)
{
	int i = lookup(mg_auth_names, s);
	if (i < 0 && s && str_ieq(s, "CRAM-MD5"))
		i = MG_AUTH_CRAMMD5;
	if (i < 0 && s && str_ieq(s, "OAuth"))
		i = MG_AUTH_XOAUTH2;
	if (i < 0)
		return -1;
	*out = (mg_auth)i;
	return 0;
}
