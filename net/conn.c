/* conn.c - names and parsing of the -Security and -Authentication values (net/conn.h). */
#include "config.h"
#include "net/conn.h"
#include "common/str.h"

const char *mg_security_name(mg_security s)
{
	switch (s) {
	case MG_SEC_NONE: return "None";
	case MG_SEC_SSL: return "Ssl";
	case MG_SEC_TLS: return "Tls";
	}
	return "None";
}

int mg_security_parse(const char *s, mg_security *out)
{
	if (!s)
		return -1;
	if (str_ieq(s, "None")) *out = MG_SEC_NONE;
	else if (str_ieq(s, "Ssl")) *out = MG_SEC_SSL;
	else if (str_ieq(s, "Tls")) *out = MG_SEC_TLS;
	else return -1;
	return 0;
}

const char *mg_auth_name(mg_auth a)
{
	switch (a) {
	case MG_AUTH_BASIC: return "Basic";
	case MG_AUTH_NTLM: return "Ntlm";
	case MG_AUTH_CRAMMD5: return "CramMd5";
	case MG_AUTH_XOAUTH2: return "XOAuth2";
	}
	return "Basic";
}

int mg_auth_parse(const char *s, mg_auth *out)
{
	if (!s)
		return -1;
	if (str_ieq(s, "Basic")) *out = MG_AUTH_BASIC;
	else if (str_ieq(s, "Ntlm")) *out = MG_AUTH_NTLM;
	else if (str_ieq(s, "CramMd5") || str_ieq(s, "CRAM-MD5")) *out = MG_AUTH_CRAMMD5;
	else if (str_ieq(s, "XOAuth2") || str_ieq(s, "OAuth")) *out = MG_AUTH_XOAUTH2;
	else return -1;
	return 0;
}
