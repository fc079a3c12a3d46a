/*
 * imap_internal.h - shared internals of the IMAP client files
 * (imap_client.c: connection, command engine, login; imap_mailbox.c;
 * imap_fetch.c; imap_append.c).  Not for use outside net/.
 */
#ifndef MIGSH_NET_IMAP_INTERNAL_H
#define MIGSH_NET_IMAP_INTERNAL_H

#include "net/imap_client.h"
#include "net/imap_parse.h"
#include "common/mem.h"

#include <signal.h>

#define MG_IMAP_MAX_SPLITS 8

/* One command being built: text with sync-literal split points. */
typedef struct imap_cmd {
	strbuf sb;            /* "TAG VERB args" ... without the final CRLF */
	unsigned tag;
	size_t splits[MG_IMAP_MAX_SPLITS]; /* offsets just after "{n}\r\n" of a synchronizing literal */
	int nsplits;
	bool secret;          /* trace the arguments as <redacted> */
} imap_cmd;

typedef struct body_ctx body_ctx;

struct mg_imap {
	mg_conn_params p;
	char *host;
	mg_sock *s;
	mg_imap_parser *ps;
	unsigned next_tag;
	strbuf caps;          /* " CAP1 CAP2 " as sent, with surrounding spaces */
	unsigned caps_gen;    /* bumped whenever caps are replaced */
	char *greeting;
	bool preauth, logged_in, readonly, utf8, dead;
	bool qresync;         /* ENABLE QRESYNC accepted (RFC 7162) */
	bool sel_nomodseq;    /* the open mailbox answered [NOMODSEQ]: no MODSEQ to fetch */
	char last_text[1024];
	char bye[512];
	long rtt_ms;
	unsigned char rbuf[65536];
	size_t rpos, rlen;
	body_ctx *body;       /* fetch_bodies in progress (stream hook target) */
	volatile sig_atomic_t *cancel;   /* waits end early when set (imap_throttle.c) */
};

/* handler for untagged responses while a command runs; return 0, or -1 to fail hard */
typedef int (*imap_untagged_fn)(mg_imap *c, const mg_imap_resp *r, void *arg);

/* results of imap_run */
#define IMAP_OK  0
#define IMAP_NO  1
#define IMAP_BAD 2

void imap_cmd_start(mg_imap *c, imap_cmd *k, const char *verb_fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* append an astring (atom, quoted or literal as needed) */
void imap_cmd_astring(mg_imap *c, imap_cmd *k, const char *s);
void imap_cmd_raw(imap_cmd *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void imap_cmd_free(imap_cmd *k);

/* After a NO/BAD to k (reply in c->last_text): when the server asked to slow
 * down and attempt < MG_THROTTLE_TRIES, wait as asked (cancellable) and give k
 * a new tag: 1, send it again; 0, not a throttle reply (or out of tries);
 * -1 stopped while waiting (err set).  imap_throttle.c. */
int imap_throttle_wait(mg_imap *c, imap_cmd *k, int attempt, mg_err *err);

/* Send k (waiting for continuations at sync literals) without waiting for the reply. */
int imap_send(mg_imap *c, imap_cmd *k, mg_err *err);
/* Read one response (dispatching the common untagged ones). */
int imap_read(mg_imap *c, const mg_imap_resp **out, mg_err *err);
/* Send k and wait for its tagged reply; untagged data goes to fn.
 * Returns IMAP_OK / IMAP_NO / IMAP_BAD, or -1 on transport/protocol errors.
 * *code receives the tagged response's code (valid until the next read) if non-NULL. */
int imap_run(mg_imap *c, imap_cmd *k, imap_untagged_fn fn, void *arg, const mg_imap_resp **tagged,
             mg_err *err);
/* Turn a NO/BAD result into an error naming the command; returns -1. */
int imap_fail(mg_imap *c, int rc, const char *what, mg_err *err);
/* Refuse a command on a read-only client (returns -1) or 0. */
int imap_guard(mg_imap *c, const char *text, mg_err *err);
void imap_trace(mg_imap *c, const char *dir, const char *line, size_t len);
/* Save "[CODE args] text" of a status response into c->last_text. */
void imap_save_text(mg_imap *c, const mg_imap_resp *r);
unsigned imap_tag_of(const char *tag);  /* 0 when not ours */
int imap_parse_date(const char *s, int64_t *epoch, int *tz_minutes);
/* parser stream hook routing FETCH BODY[] literals to c->body (imap_fetch.c) */
extern const mg_imap_stream_ops imap_body_stream_ops;

/* What connection set-up learnt, also when it failed (for the probe). */
typedef struct imap_diag {
	char stage[16];        /* "connect" "tls" "greeting" "starttls" "capability" "done" */
	char address[64];
	long connect_ms;
	long greeting_ms;
	char greeting[512];
	mg_tls_info tls;
} imap_diag;

mg_imap *imap_connect_ex(const mg_conn_params *p, imap_diag *d, mg_err *err);

#endif
