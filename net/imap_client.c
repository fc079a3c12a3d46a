/*
 * imap_client.c - IMAP connection set-up (greeting, STARTTLS, CAPABILITY),
 * the command engine (tags, quoting, literals, reading responses, trace) and
 * authentication (LOGIN, PLAIN, NTLM, CRAM-MD5, XOAUTH2).
 * Mailbox commands live in imap_mailbox.c, FETCH in imap_fetch.c,
 * APPEND in imap_append.c.
 */
#include "config.h"
#include "common/clock.h"
#include "net/imap_internal.h"
#include "net/imap_throttle.h"
#include "net/sasl.h"
#include "net/mutf7.h"
#include "common/str.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---------------- trace ---------------- */

void imap_trace(mg_imap *c, const char *dir, const char *line, size_t len)
{
	if (!c->p.trace)
		return;
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, dir);
	size_t max = 1024;
	for (size_t i = 0; i < len && i < max; i++) {
		char ch = line[i];
		if (ch == '\r' && i + 1 < len && line[i + 1] == '\n') {
			if (i + 2 < len)
				strbuf_adds(&sb, " ");
			i++;
			continue;
		}
		strbuf_addc(&sb, (ch >= 0x20 && ch != 0x7f) || (unsigned char)ch >= 0x80 ? ch : '?');
	}
	if (len > max)
		strbuf_addf(&sb, "... (%zu bytes)", len);
	c->p.trace(c->p.trace_arg, sb.buf);
	strbuf_free(&sb);
}

/* ---------------- capabilities ---------------- */

static void set_caps(mg_imap *c, const mg_imap_val *list)
{
	c->caps_gen++;
	strbuf_reset(&c->caps);
	strbuf_adds(&c->caps, " ");
	for (size_t i = 0; list && i < list->n; i++) {
		const char *s = mg_imap_val_str(&list->items[i]);
		if (!s)
			continue;
		strbuf_adds(&c->caps, s);
		strbuf_adds(&c->caps, " ");
	}
}

bool mg_imap_has_cap(const mg_imap *c, const char *cap)
{
	if (!c->caps.buf)
		return false;
	size_t n = strlen(cap);
	for (const char *p = c->caps.buf; *p;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (len == n && strncasecmp(p, cap, n) == 0)
			return true;
		p += len;
	}
	return false;
}

const char *mg_imap_caps(const mg_imap *c)
{
	if (!c->caps.buf || c->caps.len < 2)
		return "";
	return c->caps.buf + 1;   /* leading space skipped; trailing space kept */
}

const char *mg_imap_greeting(const mg_imap *c) { return c->greeting ? c->greeting : ""; }
const mg_tls_info *mg_imap_tls_info(const mg_imap *c) { return mg_sock_tls_info(c->s); }
bool mg_imap_utf8_enabled(const mg_imap *c) { return c->utf8; }
bool mg_imap_compressed(const mg_imap *c) { return mg_sock_is_compressed(c->s); }
const char *mg_imap_last_text(const mg_imap *c) { return c->last_text; }
long mg_imap_rtt_ms(const mg_imap *c) { return c->rtt_ms; }
void mg_imap_set_readonly(mg_imap *c, bool ro) { c->readonly = ro; }
bool mg_imap_readonly(const mg_imap *c) { return c->readonly; }

/* ---------------- commands ---------------- */

void imap_cmd_start(mg_imap *c, imap_cmd *k, const char *fmt, ...)
{
	memset(k, 0, sizeof *k);
	k->tag = ++c->next_tag;
	strbuf_addf(&k->sb, "M%u ", k->tag);
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&k->sb, fmt, ap);
	va_end(ap);
}

void imap_cmd_raw(imap_cmd *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&k->sb, fmt, ap);
	va_end(ap);
}

void imap_cmd_free(imap_cmd *k)
{
	if (k->secret)
		strbuf_free_secret(&k->sb);
	else
		strbuf_free(&k->sb);
}

void imap_cmd_astring(mg_imap *c, imap_cmd *k, const char *s)
{
	size_t n = strlen(s);
	bool atom = n > 0, quotable = n < 1024;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= 0x20 || ch >= 0x7f || strchr("(){%*\"\\]", ch))
			atom = false;
		if (ch == '\r' || ch == '\n' || (ch >= 0x80 && !c->utf8))
			quotable = false;
	}
	strbuf_addc(&k->sb, ' ');
	if (atom) {
		strbuf_adds(&k->sb, s);
	} else if (quotable) {
		strbuf_addc(&k->sb, '"');
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '"' || s[i] == '\\')
				strbuf_addc(&k->sb, '\\');
			strbuf_addc(&k->sb, s[i]);
		}
		strbuf_addc(&k->sb, '"');
	} else if (mg_imap_has_cap(c, "LITERAL+") || (mg_imap_has_cap(c, "LITERAL-") && n <= 4096) ||
	           k->nsplits >= MG_IMAP_MAX_SPLITS) {
		strbuf_addf(&k->sb, "{%zu+}\r\n", n);
		strbuf_add(&k->sb, s, n);
	} else {
		strbuf_addf(&k->sb, "{%zu}\r\n", n);
		k->splits[k->nsplits++] = k->sb.len;
		strbuf_add(&k->sb, s, n);
	}
}

static const char *const ro_refused[] = {
	"SELECT", "STORE", "EXPUNGE", "APPEND", "CREATE", "DELETE", "RENAME", "COPY", "MOVE",
	"SUBSCRIBE", "UNSUBSCRIBE", "SETACL", "DELETEACL", "SETQUOTA", "SETMETADATA", NULL
};

int imap_guard(mg_imap *c, const char *text, mg_err *err)
{
	if (!c->readonly)
		return 0;
	const char *v = strchr(text, ' ');
	if (!v)
		return 0;
	v++;
	if (str_iprefix(v, "UID "))
		v += 4;
	size_t vl = strcspn(v, " \r");
	for (int i = 0; ro_refused[i]; i++)
		if (strlen(ro_refused[i]) == vl && str_iprefix(v, ro_refused[i]))
			return mg_err_set(err, MGC_PERMISSION, "SourceReadOnly",
			                  "refusing to send %.*s on a source connection: the source mailbox is read-only",
			                  (int)vl, v);
	if (vl == 5 && str_iprefix(v, "FETCH")) {
		for (const char *q = v; (q = strchr(q, '[')) != NULL; q++) {
			const char *w = q;
			while (w > v && w[-1] != ' ' && w[-1] != '(')
				w--;
			size_t wl = (size_t)(q - w);
			if ((wl == 4 && str_iprefix(w, "BODY")) || (wl == 6 && str_iprefix(w, "BINARY")))
				return mg_err_set(err, MGC_PERMISSION, "SourceReadOnly",
				                  "refusing FETCH %.*s[] without .PEEK on a source connection (it would set \\Seen)",
				                  (int)wl, w);
		}
		for (const char *q = v; *q;) {
			q += strspn(q, " ()");
			size_t wl = strcspn(q, " ()");
			if ((wl == 6 && str_iprefix(q, "RFC822")) || (wl == 11 && str_iprefix(q, "RFC822.TEXT")))
				return mg_err_set(err, MGC_PERMISSION, "SourceReadOnly",
				                  "refusing FETCH %.*s on a source connection (it would set \\Seen)", (int)wl, q);
			q += wl;
		}
	}
	return 0;
}

static void trace_cmd(mg_imap *c, imap_cmd *k)
{
	if (!c->p.trace)
		return;
	size_t first = strcspn(k->sb.buf, "\r");
	char *line = xstrndup(k->sb.buf, first);
	char *red = mg_trace_redact_client(line, false);
	if (k->secret && strcmp(red, line) == 0 && !strstr(line, " AUTHENTICATE ")) {
		free(red);
		const char *sp = strchr(line, ' ');
		red = xasprintf("%.*s <redacted>", sp ? (int)(sp - line) : 0, line);
	}
	imap_trace(c, "C: ", red, strlen(red));
	if (first < k->sb.len && !k->secret)
		imap_trace(c, "C: ", "<literal data>", 14);
	mg_wipe(line, first);
	free(line);
	free(red);
}

int imap_send(mg_imap *c, imap_cmd *k, mg_err *err)
{
	if (c->dead)
		return mg_err_set(err, MGC_CONNECTION, "ConnectionDead", "the connection to %s is no longer usable", c->host);
	if (imap_guard(c, k->sb.buf, err) < 0)
		return -1;
	trace_cmd(c, k);
	if (mg_sock_write(c->s, k->sb.buf, k->sb.len, err) < 0 || mg_sock_write(c->s, "\r\n", 2, err) < 0) {
		c->dead = true;
		return -1;
	}
	return 0;
}

void imap_save_text(mg_imap *c, const mg_imap_resp *r)
{
	strbuf sb = STRBUF_INIT;
	if (r->code) {
		strbuf_addf(&sb, "[%s", r->code);
		for (size_t i = 0; i < r->code_args.n; i++) {
			const char *s = mg_imap_val_str(&r->code_args.items[i]);
			strbuf_addf(&sb, " %s", s ? s : r->code_args.items[i].type == MG_IMAP_LIST ? "(...)" : "NIL");
		}
		strbuf_adds(&sb, "] ");
	}
	strbuf_adds(&sb, r->text ? r->text : "");
	snprintf(c->last_text, sizeof c->last_text, "%s", sb.buf ? sb.buf : "");
	strbuf_free(&sb);
}

unsigned imap_tag_of(const char *tag)
{
	if (!tag || tag[0] != 'M' || !isdigit((unsigned char)tag[1]))
		return 0;
	char *end;
	unsigned long v = strtoul(tag + 1, &end, 10);
	return *end ? 0 : (unsigned)v;
}

int imap_read(mg_imap *c, const mg_imap_resp **out, mg_err *err)
{
	if (c->dead)
		return mg_err_set(err, MGC_CONNECTION, "ConnectionDead", "the connection to %s is no longer usable", c->host);
	if (mg_sock_flush(c->s, err) < 0) {
		c->dead = true;
		return -1;
	}
	for (;;) {
		if (c->rpos < c->rlen) {
			size_t used = 0;
			int rc = mg_imap_parser_feed(c->ps, c->rbuf + c->rpos, c->rlen - c->rpos, &used, out, err);
			c->rpos += used;
			if (rc < 0) {
				c->dead = true;
				return -1;
			}
			if (rc == 1)
				break;
			continue;
		}
		ssize_t n = mg_sock_read(c->s, c->rbuf, sizeof c->rbuf, err);
		if (n < 0) {
			c->dead = true;
			return -1;
		}
		if (n == 0) {
			c->dead = true;
			if (c->bye[0])
				return mg_err_set(err, MGC_CONNECTION, "ConnectionClosed",
				                  "%s closed the connection; the server said: %s", c->host, c->bye);
			return mg_err_set(err, MGC_CONNECTION, "ConnectionClosed",
			                  "%s closed the connection unexpectedly", c->host);
		}
		c->rpos = 0;
		c->rlen = (size_t)n;
	}
	const mg_imap_resp *r = *out;
	if (c->p.trace) {
		size_t len;
		const char *raw = mg_imap_parser_last_raw(c->ps, &len);
		imap_trace(c, "S: ", raw, len);
	}
	if (r->code && !strcmp(r->code, "CAPABILITY") && r->status == MG_IMAP_ST_OK)
		set_caps(c, &r->code_args);
	if (r->kind == MG_IMAP_R_UNTAGGED) {
		if (r->name && !strcmp(r->name, "CAPABILITY"))
			set_caps(c, &r->args);
		else if (r->status == MG_IMAP_ST_BYE)
			snprintf(c->bye, sizeof c->bye, "%s", r->text);
	}
	return 0;
}

static int bad_tag(mg_imap *c, const mg_imap_resp *r, mg_err *err)
{
	c->dead = true;
	return mg_err_set(err, MGC_PROTOCOL, "UnexpectedTag",
	                  "%s answered a command that was never sent (tag \"%s\"); dropping the connection",
	                  c->host, r->tag ? r->tag : "");
}

static int wait_continue(mg_imap *c, unsigned tag, const mg_imap_resp **tagged, mg_err *err)
{
	for (;;) {
		const mg_imap_resp *r;
		if (imap_read(c, &r, err) < 0)
			return -1;
		if (r->kind == MG_IMAP_R_CONTINUE)
			return 0;
		if (r->kind == MG_IMAP_R_TAGGED) {
			if (imap_tag_of(r->tag) != tag)
				return bad_tag(c, r, err);
			*tagged = r;
			return 1;
		}
	}
}

static int status_rc(const mg_imap_resp *r)
{
	return r->status == MG_IMAP_ST_OK ? IMAP_OK : r->status == MG_IMAP_ST_NO ? IMAP_NO : IMAP_BAD;
}

static int run_once(mg_imap *c, imap_cmd *k, imap_untagged_fn fn, void *arg, const mg_imap_resp **tagged,
                    mg_err *err)
{
	if (c->dead)
		return mg_err_set(err, MGC_CONNECTION, "ConnectionDead", "the connection to %s is no longer usable", c->host);
	if (imap_guard(c, k->sb.buf, err) < 0)
		return -1;
	trace_cmd(c, k);
	size_t off = 0;
	const mg_imap_resp *r = NULL;
	for (int i = 0; i < k->nsplits; i++) {
		if (mg_sock_write(c->s, k->sb.buf + off, k->splits[i] - off, err) < 0) {
			c->dead = true;
			return -1;
		}
		off = k->splits[i];
		int w = wait_continue(c, k->tag, &r, err);
		if (w < 0)
			return -1;
		if (w == 1) {
			imap_save_text(c, r);
			if (tagged) *tagged = r;
			return status_rc(r);
		}
	}
	if (mg_sock_write(c->s, k->sb.buf + off, k->sb.len - off, err) < 0 ||
	    mg_sock_write(c->s, "\r\n", 2, err) < 0) {
		c->dead = true;
		return -1;
	}
	for (;;) {
		if (imap_read(c, &r, err) < 0)
			return -1;
		if (r->kind == MG_IMAP_R_UNTAGGED) {
			if (fn && fn(c, r, arg) < 0) {
				c->dead = true;
				return -1;
			}
			continue;
		}
		if (r->kind == MG_IMAP_R_CONTINUE) {
			c->dead = true;
			return mg_err_set(err, MGC_PROTOCOL, "UnexpectedContinuation",
			                  "%s asked for more data where none was due; dropping the connection", c->host);
		}
		if (imap_tag_of(r->tag) != k->tag)
			return bad_tag(c, r, err);
		imap_save_text(c, r);
		if (tagged) *tagged = r;
		return status_rc(r);
	}
}

/* a reply asking to slow down: wait as asked and send again (imap_throttle.c) */
int imap_run(mg_imap *c, imap_cmd *k, imap_untagged_fn fn, void *arg, const mg_imap_resp **tagged,
             mg_err *err)
{
	for (int attempt = 0;; attempt++) {
		int rc = run_once(c, k, fn, arg, tagged, err), w;
		if (rc != IMAP_NO && rc != IMAP_BAD)
			return rc;
		if ((w = imap_throttle_wait(c, k, attempt, err)) <= 0)
			return w < 0 ? -1 : rc;
	}
}

int imap_fail(mg_imap *c, int rc, const char *what, mg_err *err)
{
	if (rc < 0)
		return -1;
	if (mg_imap_throttle_ms(c->last_text, 0))
		return mg_err_set(err, MGC_TIMEOUT, "ServerThrottled", "%s failed: %s kept asking to slow down: %s",
		                  what, c->host, c->last_text);
	return mg_err_set(err, MGC_INVALIDOP, rc == IMAP_NO ? "CommandRefused" : "CommandRejected",
	                  "%s failed: %s answered %s: %s", what, c->host, rc == IMAP_NO ? "NO" : "BAD", c->last_text);
}

/* run a command with no arguments that must succeed */
static int simple(mg_imap *c, const char *verb, imap_untagged_fn fn, void *arg, mg_err *err)
{
	imap_cmd k;
	imap_cmd_start(c, &k, "%s", verb);
	int rc = imap_run(c, &k, fn, arg, NULL, err);
	imap_cmd_free(&k);
	return rc == IMAP_OK ? 0 : imap_fail(c, rc, verb, err);
}

int mg_imap_capability(mg_imap *c, mg_err *err)
{
	long t0 = mg_mono_ms();
	int rc = simple(c, "CAPABILITY", NULL, NULL, err);
	c->rtt_ms = mg_mono_ms() - t0;
	return rc;
}

int mg_imap_noop(mg_imap *c, mg_err *err)
{
	long t0 = mg_mono_ms();
	int rc = simple(c, "NOOP", NULL, NULL, err);
	c->rtt_ms = mg_mono_ms() - t0;
	return rc;
}

/* ---------------- connect ---------------- */

static mg_imap *fail_connect(mg_imap *c)
{
	mg_imap_close(c);
	return NULL;
}

static int read_greeting(mg_imap *c, mg_err *err)
{
	const mg_imap_resp *r;
	mg_err e = { 0 };
	if (imap_read(c, &r, &e) < 0) {
		if (e.category == MGC_TIMEOUT)
			return mg_err_set(err, MGC_TIMEOUT, "GreetingTimeout",
			                  "%s port %d accepted the connection but sent no IMAP greeting within %d ms%s",
			                  c->host, c->p.port, mg_sock_io_timeout(c->s),
			                  c->p.security != MG_SEC_SSL ? "; if this is an implicit-TLS port (usually 993) use -Security Ssl"
			                                              : "; the server may be overloaded or not an IMAP server");
		if (e.category == MGC_PROTOCOL || e.category == MGC_LIMIT)
			return mg_err_set(err, MGC_PROTOCOL, "NotImapServer",
			                  "%s port %d does not speak IMAP (its greeting is not an IMAP response: %s)",
			                  c->host, c->p.port, e.msg);
		if (e.code == MGE_ConnectionClosed)
			return mg_err_set(err, MGC_CONNECTION, "ConnectionClosed",
			                  "%s port %d closed the connection before sending a greeting", c->host, c->p.port);
		mg_err_copy(err, &e);
		return -1;
	}
	if (r->kind != MG_IMAP_R_UNTAGGED || (r->status != MG_IMAP_ST_OK && r->status != MG_IMAP_ST_PREAUTH &&
	                                      r->status != MG_IMAP_ST_BYE))
		return mg_err_set(err, MGC_PROTOCOL, "NotImapServer",
		                  "%s port %d does not speak IMAP (unexpected greeting)", c->host, c->p.port);
	imap_save_text(c, r);
	c->greeting = xstrdup(r->text);
	if (r->status == MG_IMAP_ST_BYE)
		return mg_err_set(err, MGC_CONNECTION, "ServerRejected",
		                  "%s refused the connection: %s", c->host, r->text);
	c->preauth = r->status == MG_IMAP_ST_PREAUTH;
	return 0;
}

static void diag_tls(mg_imap *c, imap_diag *d)
{
	if (c->s)
		d->tls = *mg_sock_tls_info(c->s);
}

mg_imap *imap_connect_ex(const mg_conn_params *p, imap_diag *d, mg_err *err)
{
	memset(d, 0, sizeof *d);
	snprintf(d->stage, sizeof d->stage, "connect");
	mg_imap *c = xcalloc(1, sizeof *c);
	c->p = *p;
	c->host = xstrdup(p->host ? p->host : "");
	c->p.host = c->host;
	long t0 = mg_mono_ms();
	c->cancel = p->cancel;   /* Ctrl-C also ends a throttled wait (imap_throttle.c) */
	c->s = mg_sock_connect(p->host, p->port, p->connect_timeout_ms, p->io_timeout_ms, p->cancel, err);
	if (!c->s)
		return fail_connect(c);
	d->connect_ms = mg_mono_ms() - t0;
	snprintf(d->address, sizeof d->address, "%s", mg_sock_peer_address(c->s));
	c->ps = mg_imap_parser_new(NULL);
	mg_imap_parser_set_stream(c->ps, &imap_body_stream_ops, c);
	if (p->security == MG_SEC_SSL) {
		snprintf(d->stage, sizeof d->stage, "tls");
		int rc = mg_sock_start_tls(c->s, p->host, p->accept_untrusted, err);
		diag_tls(c, d);
		if (rc < 0)
			return fail_connect(c);
	}
	snprintf(d->stage, sizeof d->stage, "greeting");
	t0 = mg_mono_ms();
	if (read_greeting(c, err) < 0) {
		if (c->greeting)
			snprintf(d->greeting, sizeof d->greeting, "%s", c->greeting);
		return fail_connect(c);
	}
	d->greeting_ms = mg_mono_ms() - t0;
	snprintf(d->greeting, sizeof d->greeting, "%s", c->greeting);
	if (p->security == MG_SEC_TLS) {
		snprintf(d->stage, sizeof d->stage, "starttls");
		if (c->preauth) {
			mg_err_set(err, MGC_SECURITY, "StartTlsNotPossible",
			           "%s pre-authenticated the connection, so STARTTLS is not possible; use -Security Ssl or None",
			           c->host);
			return fail_connect(c);
		}
		if (!c->caps.len && mg_imap_capability(c, err) < 0)
			return fail_connect(c);
		if (!mg_imap_has_cap(c, "STARTTLS")) {
			mg_err_set(err, MGC_SECURITY, "StartTlsNotOffered",
			           "%s port %d does not offer STARTTLS, so -Security Tls cannot be used; refusing to continue "
			           "without encryption. Use -Security Ssl on the TLS port (usually 993), or -Security None "
			           "only if plain text is acceptable", c->host, p->port);
			return fail_connect(c);
		}
		int rc = simple(c, "STARTTLS", NULL, NULL, err);
		if (rc < 0)
			return fail_connect(c);
		if (c->rpos < c->rlen) {
			mg_err_set(err, MGC_SECURITY, "StartTlsInjection",
			           "%s sent data right after STARTTLS (possible command injection); refusing to continue", c->host);
			return fail_connect(c);
		}
		rc = mg_sock_start_tls(c->s, p->host, p->accept_untrusted, err);
		diag_tls(c, d);
		if (rc < 0)
			return fail_connect(c);
		strbuf_reset(&c->caps);   /* capabilities before TLS are not trusted */
	}
	snprintf(d->stage, sizeof d->stage, "capability");
	if (!c->caps.len && mg_imap_capability(c, err) < 0)
		return fail_connect(c);
	if (c->preauth)
		c->logged_in = true;
	snprintf(d->stage, sizeof d->stage, "done");
	return c;
}

mg_imap *mg_imap_connect(const mg_conn_params *p, mg_err *err)
{
	imap_diag d;
	return imap_connect_ex(p, &d, err);
}

/* ---------------- login ---------------- */

static int auth_failed(mg_imap *c, const char *user, const char *mech, mg_err *err)
{
	if (mg_imap_throttle_ms(c->last_text, 0))      /* busy, not refused */
		return imap_fail(c, IMAP_NO, "login", err);
	char why[sizeof c->last_text];
	snprintf(why, sizeof why, "%s", c->last_text[0] ? c->last_text : "no reason given");
	size_t n = strlen(why);
	while (n && (why[n - 1] == '.' || why[n - 1] == ' '))
		why[--n] = 0;
	return mg_err_set(err, MGC_AUTH, "AuthenticationFailed",
	                  "%s refused the %s login for \"%s\": %s. Check the user name and password "
	                  "(and the admin login format, e.g. user*admin for Dovecot)",
	                  c->host, mech, user, why);
}

/* AUTHENTICATE exchange.  step(c, arg, challenge, &reply) gives the next reply (malloc'd secret). */
typedef int (*auth_step_fn)(void *arg, int n, const char *challenge, char **reply, mg_err *err);

static int authenticate(mg_imap *c, const char *mech, const char *ir, auth_step_fn step, void *arg,
                        mg_err *err)
{
	imap_cmd k;
	imap_cmd_start(c, &k, "AUTHENTICATE %s", mech);
	k.secret = true;
	if (ir)
		imap_cmd_raw(&k, " %s", *ir ? ir : "=");
	int rc = imap_send(c, &k, err);
	unsigned tag = k.tag;
	imap_cmd_free(&k);
	if (rc < 0)
		return -1;
	for (int n = 0;; n++) {
		const mg_imap_resp *r;
		if (imap_read(c, &r, err) < 0)
			return -1;
		if (r->kind == MG_IMAP_R_UNTAGGED)
			continue;
		if (r->kind == MG_IMAP_R_TAGGED) {
			if (imap_tag_of(r->tag) != tag)
				return bad_tag(c, r, err);
			imap_save_text(c, r);
			return status_rc(r);
		}
		char *reply = NULL;
		if (!step || n > 8 || step(arg, n, r->text, &reply, err) < 0) {
			/* cancel the exchange */
			reply = xstrdup("*");
		}
		imap_trace(c, "C: ", "<redacted>", 10);
		int w = mg_sock_write(c->s, reply, strlen(reply), err);
		mg_sasl_free_secret(reply);
		if (w < 0 || mg_sock_write(c->s, "\r\n", 2, err) < 0) {
			c->dead = true;
			return -1;
		}
	}
}

typedef struct auth_arg {
	const char *user, *password, *authzid, *domain;
	const char *first;  /* reply to an empty challenge (no SASL-IR) */
} auth_arg;

static int step_first(void *arg, int n, const char *chal, char **reply, mg_err *err)
{
	auth_arg *a = arg;
	if (n == 0 && a->first) {
		*reply = xstrdup(a->first);
		return 0;
	}
	*reply = xstrdup("");   /* e.g. XOAUTH2 error details: acknowledge */
	return 0;
}

static int step_cram(void *arg, int n, const char *chal, char **reply, mg_err *err)
{
	auth_arg *a = arg;
	if (n != 0)
		return -1;
	return mg_sasl_cram_md5(a->user, a->password, chal, reply, err);
}

static int step_ntlm(void *arg, int n, const char *chal, char **reply, mg_err *err)
{
	auth_arg *a = arg;
	if (n == 0) {
		*reply = mg_ntlm_negotiate();
		return 0;
	}
	if (n == 1)
		return mg_ntlm_authenticate(a->user, a->domain, a->password, "MIGSH", chal, NULL, MG_NTLM_TIME_NOW, reply, err);
	return -1;
}

bool mg_imap_qresync_enabled(const mg_imap *c) { return c->qresync; }

static int enabled_untagged(mg_imap *c, const mg_imap_resp *r, void *arg)
{
	(void)c;
	if (!r->name || strcmp(r->name, "ENABLED"))
		return 0;
	for (size_t i = 0; i < r->args.n; i++)
		if (mg_imap_val_is(&r->args.items[i], "QRESYNC"))
			*(bool *)arg = true;
	return 0;
}

int mg_imap_enable_qresync(mg_imap *c, bool *on, mg_err *err)
{
	if (!c->qresync && mg_imap_has_cap(c, "QRESYNC") && mg_imap_has_cap(c, "ENABLE")) {
		imap_cmd k;
		imap_cmd_start(c, &k, "ENABLE QRESYNC");
		bool said = false;
		int rc = imap_run(c, &k, enabled_untagged, &said, NULL, err);
		imap_cmd_free(&k);
		if (rc < 0)
			return -1;
		c->qresync = rc == IMAP_OK && said;
	}
	if (on)
		*on = c->qresync;
	return 0;
}

static int after_login(mg_imap *c, unsigned caps_gen, mg_err *err)
{
	c->logged_in = true;
	/* servers usually send [CAPABILITY ...] with the login OK; ask only if not */
	if (c->caps_gen == caps_gen && mg_imap_capability(c, err) < 0)
		return -1;
	if (mg_imap_has_cap(c, "UTF8=ACCEPT") && mg_imap_has_cap(c, "ENABLE")) {
		imap_cmd k;
		imap_cmd_start(c, &k, "ENABLE UTF8=ACCEPT");
		int rc = imap_run(c, &k, NULL, NULL, NULL, err);
		imap_cmd_free(&k);
		if (rc < 0)
			return -1;
		c->utf8 = rc == IMAP_OK;
	}
	if (c->p.compress && mg_imap_has_cap(c, "COMPRESS=DEFLATE")) {
		imap_cmd k;
		imap_cmd_start(c, &k, "COMPRESS DEFLATE");
		int rc = imap_run(c, &k, NULL, NULL, NULL, err);
		imap_cmd_free(&k);
		if (rc < 0)
			return -1;
		if (rc == IMAP_OK) {
			if (c->rpos < c->rlen) {
				c->dead = true;
				return mg_err_set(err, MGC_PROTOCOL, "DeflateDesync", "%s sent data after COMPRESS", c->host);
			}
			if (mg_sock_start_deflate(c->s, err) < 0) {
				c->dead = true;
				return -1;
			}
		}
	}
	return 0;
}

int mg_imap_login(mg_imap *c, const char *user, const char *password, const char *authzid, mg_err *err)
{
	if (c->logged_in)
		return 0;
	if (!user || !password)
		return mg_err_set(err, MGC_INVALIDARG, "MissingCredentials", "a user name and a password are needed to log in");
	if (c->p.security != MG_SEC_NONE && !mg_sock_tls_info(c->s)->active)
		return mg_err_set(err, MGC_SECURITY, "CleartextCredentials",
		                  "refusing to send credentials to %s without TLS", c->host);
	if (authzid && !*authzid)
		authzid = NULL;
	auth_arg a = { .user = user, .password = password, .authzid = authzid };
	unsigned caps_gen = c->caps_gen;
	int rc;
	const char *mech;
	switch (c->p.auth) {
	case MG_AUTH_NTLM: {
		mech = "NTLM";
		if (!mg_imap_has_cap(c, "AUTH=NTLM"))
			return mg_err_set(err, MGC_AUTH, "MechanismNotOffered",
			                  "%s does not offer NTLM authentication (AUTH=NTLM); use -Authentication Basic", c->host);
		/* DOMAIN\user */
		char *dup = xstrdup(user);
		char *bs = strchr(dup, '\\');
		if (bs) {
			*bs = 0;
			a.domain = dup;
			a.user = bs + 1;
		} else {
			a.domain = "";
		}
		rc = authenticate(c, "NTLM", NULL, step_ntlm, &a, err);
		free(dup);
		break;
	}
	case MG_AUTH_CRAMMD5:
		mech = "CRAM-MD5";
		if (!mg_imap_has_cap(c, "AUTH=CRAM-MD5"))
			return mg_err_set(err, MGC_AUTH, "MechanismNotOffered",
			                  "%s does not offer CRAM-MD5 authentication", c->host);
		rc = authenticate(c, "CRAM-MD5", NULL, step_cram, &a, err);
		break;
	case MG_AUTH_XOAUTH2: {
		mech = "XOAUTH2";
		if (!mg_imap_has_cap(c, "AUTH=XOAUTH2"))
			return mg_err_set(err, MGC_AUTH, "MechanismNotOffered",
			                  "%s does not offer XOAUTH2 authentication", c->host);
		char *ir = mg_sasl_xoauth2(authzid ? authzid : user, password);
		if (mg_imap_has_cap(c, "SASL-IR")) {
			rc = authenticate(c, "XOAUTH2", ir, step_first, &a, err);
		} else {
			a.first = ir;
			rc = authenticate(c, "XOAUTH2", NULL, step_first, &a, err);
		}
		mg_sasl_free_secret(ir);
		break;
	}
	case MG_AUTH_BASIC:
	default:
		if (mg_imap_has_cap(c, "AUTH=PLAIN")) {
			mech = "PLAIN";
			char *ir = mg_sasl_plain(authzid, user, password);
			if (mg_imap_has_cap(c, "SASL-IR")) {
				rc = authenticate(c, "PLAIN", ir, step_first, &a, err);
			} else {
				a.first = ir;
				rc = authenticate(c, "PLAIN", NULL, step_first, &a, err);
			}
			mg_sasl_free_secret(ir);
		} else {
			mech = "LOGIN";
			if (authzid)
				return mg_err_set(err, MGC_AUTH, "MechanismNotOffered",
				                  "%s does not offer AUTHENTICATE PLAIN, which is needed to act as \"%s\"; "
				                  "use the server's admin login format in the user name instead", c->host, authzid);
			if (mg_imap_has_cap(c, "LOGINDISABLED"))
				return mg_err_set(err, MGC_AUTH, "LoginDisabled",
				                  "%s does not allow LOGIN on this connection (LOGINDISABLED)", c->host);
			imap_cmd k;
			imap_cmd_start(c, &k, "LOGIN");
			k.secret = true;
			imap_cmd_astring(c, &k, user);
			imap_cmd_astring(c, &k, password);
			rc = imap_run(c, &k, NULL, NULL, NULL, err);
			imap_cmd_free(&k);
		}
		break;
	}
	if (rc < 0)
		return -1;
	if (rc != IMAP_OK)
		return auth_failed(c, user, mech, err);
	return after_login(c, caps_gen, err);
}

/* ---------------- logout / close ---------------- */

int mg_imap_logout(mg_imap *c, mg_err *err)
{
	if (!c || c->dead)
		return 0;
	int old = mg_sock_io_timeout(c->s);
	mg_sock_set_io_timeout(c->s, old < 5000 ? old : 5000);
	int rc = simple(c, "LOGOUT", NULL, NULL, err);
	mg_sock_set_io_timeout(c->s, old);
	c->dead = true;
	return rc;
}

void mg_imap_close(mg_imap *c)
{
	if (!c)
		return;
	mg_sock_close(c->s);
	mg_imap_parser_free(c->ps);
	strbuf_free(&c->caps);
	free(c->greeting);
	free(c->host);
	free(c);
}
