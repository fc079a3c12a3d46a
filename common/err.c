/* err.c - filling mg_err records (see err.h for the convention). */
#include "config.h"
#include "common/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *const mg_err_category_names[MGC__COUNT + 1] = {
	[MGC_NOTSPECIFIED] = "NotSpecified", [MGC_OPEN] = "OpenError", [MGC_CLOSE] = "CloseError",
	[MGC_DEVICE] = "DeviceError", [MGC_DEADLOCK] = "DeadlockDetected",
	[MGC_INVALIDARG] = "InvalidArgument", [MGC_INVALIDDATA] = "InvalidData",
	[MGC_INVALIDOP] = "InvalidOperation", [MGC_INVALIDRESULT] = "InvalidResult",
	[MGC_INVALIDTYPE] = "InvalidType", [MGC_METADATA] = "MetadataError",
	[MGC_NOTIMPLEMENTED] = "NotImplemented", [MGC_NOTINSTALLED] = "NotInstalled",
	[MGC_NOTFOUND] = "ObjectNotFound", [MGC_STOPPED] = "OperationStopped",
	[MGC_TIMEOUT] = "OperationTimeout", [MGC_SYNTAX] = "SyntaxError", [MGC_PARSER] = "ParserError",
	[MGC_PERMISSION] = "PermissionDenied", [MGC_BUSY] = "ResourceBusy",
	[MGC_EXISTS] = "ResourceExists", [MGC_RESOURCE] = "ResourceUnavailable",
	[MGC_READ] = "ReadError", [MGC_WRITE] = "WriteError", [MGC_FROMSTDERR] = "FromStdErr",
	[MGC_SECURITY] = "SecurityError", [MGC_PROTOCOL] = "ProtocolError",
	[MGC_CONNECTION] = "ConnectionError", [MGC_AUTH] = "AuthenticationError",
	[MGC_LIMIT] = "LimitsExceeded", [MGC_QUOTA] = "QuotaExceeded", [MGC_NOTENABLED] = "NotEnabled",
	[MGC__COUNT] = NULL,
};

const char *mg_err_category_name(mg_err_cat c)
{
	return (unsigned)c < MGC__COUNT ? mg_err_category_names[c] : mg_err_category_names[MGC_NOTSPECIFIED];
}

int mg_err_category_parse(const char *name, mg_err_cat *out)
{
	for (int i = 0; name && i < MGC__COUNT; i++)
		if (!strcasecmp(name, mg_err_category_names[i])) {
			*out = (mg_err_cat)i;
			return 0;
		}
	return -1;
}

static const char *const code_ids[MGE__COUNT] = {
	[MGE_NONE] = "",
#define MG_ERR_ID_NAME(id, retry, cls) [MGE_##id] = #id,
	MG_ERR_IDS(MG_ERR_ID_NAME)
#undef MG_ERR_ID_NAME
};

/* The one place an id's text is looked at: when the error is raised. */
mg_err_code mg_err_code_of(const char *id)
{
	for (int i = 1; id && i < MGE__COUNT; i++)
		if (!strcmp(code_ids[i], id))
			return (mg_err_code)i;
	return MGE_NONE;
}

const char *mg_err_code_id(mg_err_code c)
{
	return (unsigned)c < MGE__COUNT ? code_ids[c] : "";
}

void mg_err_name(mg_err *e, mg_err_cat category, const char *id)
{
	if (!e)
		return;
	e->category = (unsigned)category < MGC__COUNT ? category : MGC_NOTSPECIFIED;
	if (id != e->id)
		snprintf(e->id, sizeof e->id, "%s", id ? id : "Error");
	e->code = mg_err_code_of(e->id);
}

static void fill(mg_err *e, mg_err_cat category, const char *id)
{
	e->set = 1;
	e->side = MG_SIDE_UNKNOWN;
	mg_err_name(e, category, id);
}

int mg_err_set(mg_err *e, mg_err_cat category, const char *id, const char *fmt, ...)
{
	if (!e)
		return -1;
	va_list ap;
	fill(e, category, id);
	e->sys_errno = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int mg_err_sys(mg_err *e, mg_err_cat category, const char *id, const char *fmt, ...)
{
	int saved = errno;
	if (!e)
		return -1;
	va_list ap;
	fill(e, category, id);
	e->sys_errno = saved;
	va_start(ap, fmt);
	int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	/* the cause (strerror) is kept whole: a long message (a long path) is
	 * shortened instead, marked with "..." */
	char cause[160];
	size_t lc = (size_t)snprintf(cause, sizeof cause, ": %s", strerror(saved));
	if (lc >= sizeof cause)
		lc = sizeof cause - 1;
	size_t at = n < 0 ? 0 : (size_t)n;
	if (at + lc >= sizeof e->msg) {
		at = sizeof e->msg - lc - 4;
		while (at > 0 && ((unsigned char)e->msg[at] & 0xC0) == 0x80)
			at--;
		memcpy(e->msg + at, "...", 3);
		at += 3;
	}
	memcpy(e->msg + at, cause, lc + 1);
	errno = saved;
	return -1;
}

int mg_err_prefix(mg_err *e, const char *fmt, ...)
{
	if (!e)
		return -1;
	char head[512], old[sizeof e->msg];
	va_list ap;
	va_start(ap, fmt);
	int hn = vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	if (hn >= (int)sizeof head) {
		size_t k = sizeof head - 4;
		while (k > 0 && ((unsigned char)head[k] & 0xC0) == 0x80)
			k--;
		memcpy(head + k, "...", 4);
	}
	memcpy(old, e->msg, sizeof old);
	/* the cause is what the user needs: shorten the context, never the cause */
	size_t room = sizeof e->msg - 1, lo = strlen(old), lh = strlen(head);
	if (lh + 2 + lo > room && lo + 2 + 3 < room) {
		size_t keep = room - lo - 2 - 3;
		while (keep > 0 && ((unsigned char)head[keep] & 0xC0) == 0x80)
			keep--;
		memcpy(head + keep, "...", 4);
	}
	snprintf(e->msg, sizeof e->msg, "%s: %s", head, old);
	if (!e->set)
		fill(e, MGC_NOTSPECIFIED, "Error");
	return -1;
}

void mg_err_clear(mg_err *e)
{
	if (e)
		memset(e, 0, sizeof *e);
}

void mg_err_copy(mg_err *dst, const mg_err *src)
{
	if (dst && src && dst != src)
		memcpy(dst, src, sizeof *dst);
}
