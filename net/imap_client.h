/*
 * imap_client.h - the IMAP client used by the sync engine and the probe.
 *
 * Blocking API with bounded waits (mg_conn_params.io_timeout_ms per wait);
 * bulk operations (body fetch, append) pipeline several commands internally.
 * One mg_imap per connection, one thread at a time.
 *
 * Mailbox names: functions taking a mailbox want the WIRE name (as LIST
 * returned it in mg_imap_mailbox.wire, or as built by mg_imap_mailbox_wire()
 * from UTF-8); the client quotes it or sends a literal as needed.
 *
 * Source safety: mg_imap_set_readonly(c, true) makes the client itself refuse
 * SELECT, STORE, EXPUNGE, APPEND, CREATE, DELETE, RENAME, COPY, MOVE
 * (MGC_PERMISSION), on top of the sync engine only using EXAMINE and
 * BODY.PEEK.
 *
 * Errors: MGC_CONNECTION / MGC_TIMEOUT / MGC_SECURITY from the transport,
 * MGC_AUTH for refused logins (message carries the server's text),
 * MGC_PROTOCOL for malformed or unexpected responses, MGC_INVALIDOP for NO
 * replies (message carries the command and the server's text),
 * MGC_PERMISSION for the read-only guard.
 * After a transport or protocol error the connection is dead: close it.
 */
#ifndef MIGSH_NET_IMAP_CLIENT_H
#define MIGSH_NET_IMAP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "net/conn.h"
#include "net/sock.h"

typedef struct mg_imap mg_imap;

/* Connect, read the greeting, STARTTLS when p->security == MG_SEC_TLS
 * (refused with MGC_SECURITY "StartTlsNotOffered" when not offered; the
 * capabilities seen before TLS are discarded), then CAPABILITY.
 * A BYE greeting fails with MGC_CONNECTION "ServerRejected". */
mg_imap *mg_imap_connect(const mg_conn_params *p, mg_err *err);

/* Log in per p->auth.  Basic: AUTHENTICATE PLAIN (SASL-IR when offered) if
 * the server offers AUTH=PLAIN, else LOGIN (not when LOGINDISABLED).
 * authzid (may be NULL) is the PLAIN authorization identity: the admin logs in
 * as `user` and acts as `authzid`.  Admin formats such as "user*mailadmin" or
 * "Domain/Admin/User" are passed through verbatim as the login name.
 * Ntlm: AUTHENTICATE NTLM (NTLMv2); a "DOMAIN\user" login name is split.
 * CramMd5, XOAuth2 (password = bearer token).  Refuses to send credentials
 * over an unencrypted connection unless p->security == MG_SEC_NONE.
 * After login: fresh CAPABILITY, ENABLE UTF8=ACCEPT when offered, and
 * COMPRESS=DEFLATE when offered and p->compress. */
int mg_imap_login(mg_imap *c, const char *user, const char *password,
                  const char *authzid, mg_err *err);

void mg_imap_set_readonly(mg_imap *c, bool readonly);
bool mg_imap_readonly(const mg_imap *c);

/* Capability test, case-insensitive, e.g. "UIDPLUS", "AUTH=PLAIN". */
bool mg_imap_has_cap(const mg_imap *c, const char *cap);
/* Space-separated capability list as last received (never NULL). */
const char *mg_imap_caps(const mg_imap *c);
/* Greeting text after "* OK " (never NULL). */
const char *mg_imap_greeting(const mg_imap *c);
const mg_tls_info *mg_imap_tls_info(const mg_imap *c);
bool mg_imap_utf8_enabled(const mg_imap *c);   /* UTF8=ACCEPT is on */
bool mg_imap_compressed(const mg_imap *c);
/* Text of the last tagged reply ("[ALERT] ..." included); never NULL. */
const char *mg_imap_last_text(const mg_imap *c);
/* Milliseconds of the last NOOP/CAPABILITY round trip. */
long mg_imap_rtt_ms(const mg_imap *c);

int mg_imap_capability(mg_imap *c, mg_err *err);  /* refresh */
int mg_imap_noop(mg_imap *c, mg_err *err);

/* ID (RFC 2971): *server_id = "name=Dovecot version=2.3.19 ..." (malloc'd),
 * or NULL when the server does not support ID. */
int mg_imap_id(mg_imap *c, char **server_id, mg_err *err);

/* NAMESPACE: first personal namespace.  *prefix malloc'd ("" or "INBOX."),
 * *sep the separator ('\0' when flat).  Without NAMESPACE support: the
 * separator from LIST "" "" and an empty prefix. */
int mg_imap_namespace(mg_imap *c, char **prefix, char *sep, mg_err *err);

/* LIST flags */
#define MG_MBX_NOSELECT      0x0001u
#define MG_MBX_NOINFERIORS   0x0002u
#define MG_MBX_HASCHILDREN   0x0004u
#define MG_MBX_HASNOCHILDREN 0x0008u
#define MG_MBX_MARKED        0x0010u
#define MG_MBX_UNMARKED      0x0020u
#define MG_MBX_NONEXISTENT   0x0040u
#define MG_MBX_SUBSCRIBED    0x0080u
#define MG_MBX_REMOTE        0x0100u
#define MG_MBX_ALL           0x0200u   /* SPECIAL-USE */
#define MG_MBX_ARCHIVE       0x0400u
#define MG_MBX_DRAFTS        0x0800u
#define MG_MBX_FLAGGED       0x1000u
#define MG_MBX_JUNK          0x2000u
#define MG_MBX_SENT          0x4000u
#define MG_MBX_TRASH         0x8000u
#define MG_MBX_IMPORTANT     0x10000u

typedef struct mg_imap_mailbox {
	char *name;       /* UTF-8 (decoded from modified UTF-7 unless UTF8=ACCEPT); NULL when the
	                     wire name is not valid modified UTF-7 (use wire) */
	char *wire;       /* exactly as the server sent it: use this in commands (a NUL inside
	                     it is kept as MG_IMAP_NUL_MARK: never send such a name) */
	char  sep;        /* hierarchy separator, '\0' for NIL */
	unsigned flags;   /* MG_MBX_* */
} mg_imap_mailbox;

/* LIST ref pattern (wire strings, e.g. "" "*").  Uses LIST-EXTENDED
 * RETURN (SPECIAL-USE CHILDREN) when offered.  *out is malloc'd. */
int mg_imap_list(mg_imap *c, const char *ref, const char *pattern,
                 mg_imap_mailbox **out, size_t *n, mg_err *err);
void mg_imap_mailboxes_free(mg_imap_mailbox *v, size_t n);

/* Encode a UTF-8 mailbox name for this connection (modified UTF-7, or
 * UTF-8 as is when UTF8=ACCEPT is enabled).  Caller frees. */
char *mg_imap_mailbox_wire(const mg_imap *c, const char *utf8, mg_err *err);

typedef struct mg_imap_mbox_status {
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint32_t exists;       /* EXISTS / STATUS MESSAGES */
	uint32_t recent;
	uint32_t unseen;       /* STATUS UNSEEN (0 from EXAMINE) */
	uint64_t highestmodseq;/* 0 when unknown */
	bool     nomodseq;     /* [NOMODSEQ]: the mailbox has no mod-sequences */
	bool     readonly;     /* [READ-ONLY] */
	bool     keywords_ok;  /* PERMANENTFLAGS contains \* */
	char     permanentflags[512]; /* as received, without parentheses */
	char     flags[512];           /* FLAGS list, without parentheses */
	uint64_t size;         /* STATUS SIZE (RFC 8438, when offered): bytes of all messages */
	bool     has_size;
	char     mailboxid[128];  /* RFC 8474 MAILBOXID (STATUS, or the EXAMINE/SELECT response
	                             code) when the server offers OBJECTID; "" when unknown */
} mg_imap_mbox_status;

/* EXAMINE (read-only; adds (CONDSTORE) when offered). */
int mg_imap_examine(mg_imap *c, const char *wire_name, mg_imap_mbox_status *st, mg_err *err);
/* SELECT (targets only; refused on a read-only client). */
int mg_imap_select(mg_imap *c, const char *wire_name, mg_imap_mbox_status *st, mg_err *err);
/* CREATE; *existed (may be NULL) set when the server said it already exists
 * ([ALREADYEXISTS] or an existing name), which is not an error. */
int mg_imap_create(mg_imap *c, const char *wire_name, bool *existed, mg_err *err);
/* STATUS (MESSAGES UIDNEXT UIDVALIDITY UNSEEN [HIGHESTMODSEQ] [SIZE] [MAILBOXID]). */
int mg_imap_status(mg_imap *c, const char *wire_name, mg_imap_mbox_status *st, mg_err *err);

typedef struct mg_imap_msg_meta {
	uint32_t uid;
	uint32_t seq;
	const char *const *flags;  /* system flags and keywords as sent ("\\Seen", "$Forwarded") */
	size_t   n_flags;
	int64_t  internaldate;     /* epoch seconds, UTC */
	int      tz_minutes;       /* zone of the internal date, e.g. +120, -300 */
	const char *internaldate_raw; /* "22-Nov-2026 05:38:29 +0000" as sent: give it back to APPEND */
	uint64_t size;             /* RFC822.SIZE */
	uint64_t modseq;           /* 0 without CONDSTORE */
	/* flags the server sent damaged (a NUL, a control or 8-bit byte: RFC 3501
	 * allows none in a flag): left out of flags[], counted here so the
	 * caller can report them; the message itself is fine */
	size_t   n_bad_flags;
	const char *bad_flag;      /* the first of them, as sent (NUL shown as MG_IMAP_NUL_MARK) */
} mg_imap_msg_meta;

/* Called per message; pointers valid during the call.  Return 0 to go on,
 * -1 to stop (the rest of the reply is read and discarded; the function then
 * fails with MGC_STOPPED). */
typedef int (*mg_imap_meta_cb)(void *arg, const mg_imap_msg_meta *m);

/* UID FETCH uid_set (UID FLAGS INTERNALDATE RFC822.SIZE [MODSEQ])
 * [(CHANGEDSINCE n)] on the selected/examined mailbox.  uid_set e.g. "1:*".
 * changedsince 0 = all. */
int mg_imap_fetch_meta(mg_imap *c, const char *uid_set, uint64_t changedsince,
                       mg_imap_meta_cb cb, void *arg, mg_err *err);

/* Streaming body callbacks: begin(uid, size) once, data() in chunks (at most
 * a few hundred KiB each), end(uid).  Return 0, or -1 to stop everything
 * (function fails with MGC_STOPPED after draining the connection).
 * missing() (may be NULL) is called for each requested uid the server did not
 * return (expunged meanwhile, or the server answered NO: reason has its text). */
typedef struct mg_imap_body_cb {
	int  (*begin)(void *arg, uint32_t uid, uint64_t size);
	int  (*data)(void *arg, uint32_t uid, const void *chunk, size_t len);
	int  (*end)(void *arg, uint32_t uid);
	void (*missing)(void *arg, uint32_t uid, const char *reason);
	void *arg;
} mg_imap_body_cb;

/* Pipelined UID FETCH <ranges> (UID BODY.PEEK[]): the uids are grouped into
 * sets of up to 64 messages / ~8 MiB (by the sizes if given; sizes may be
 * NULL), with up to 8 commands in flight.  Bodies arrive in server order. */
int mg_imap_fetch_bodies(mg_imap *c, const uint32_t *uids, const uint64_t *sizes, size_t n,
                         const mg_imap_body_cb *cb, mg_err *err);

/* One message to APPEND.  Either data/size (in memory) or read() (streamed:
 * returns bytes put in buf, 0 at end, -1 on error; must deliver exactly size
 * bytes). */
typedef struct mg_imap_append_msg {
	const char *flags;         /* "\\Seen $Forwarded" (space-separated) or NULL;
	                              \Recent is dropped */
	const char *internaldate;  /* IMAP date-time "22-Nov-2026 05:38:29 +0000" or NULL */
	const void *data;
	uint64_t    size;
	ssize_t   (*read)(void *arg, void *buf, size_t cap);
	void       *read_arg;
	/* optional, with read(): start the data again from byte 0 (return 0, or -1).
	 * Lets mg_imap_append_many batch streamed messages into MULTIAPPEND, which
	 * needs to resend them one by one when the server refuses a batch. */
	int       (*rewind)(void *arg);
} mg_imap_append_msg;

typedef struct mg_imap_append_result {
	bool     ok;
	uint32_t uid;          /* APPENDUID uid, 0 when the server has no UIDPLUS */
	uint32_t uidvalidity;  /* APPENDUID uidvalidity, 0 when unknown */
	char     text[256];    /* the server's text when !ok (e.g. "[TOOBIG] ...") */
} mg_imap_append_result;

/* APPEND one message (LITERAL+ / LITERAL- when offered and allowed by size,
 * else waits for the continuation).  A NO reply fails with MGC_INVALIDOP and
 * the server's text; res may be NULL. */
int mg_imap_append(mg_imap *c, const char *wire_mailbox, const mg_imap_append_msg *m,
                   mg_imap_append_result *res, mg_err *err);

/* APPEND many messages.  With LITERAL+ and MULTIAPPEND: batches of up to 100
 * messages / 16 MiB in one MULTIAPPEND (one server transaction; messages need
 * data or a rewind() provider), and a refused batch is resent message by
 * message to tell which one the server refuses.  With LITERAL+ only: single
 * APPENDs pipelined, up to 16 in flight.  Else one after another.
 * res[i] tells per message what happened; returns 0 when the connection
 * survived (even if some messages were refused), -1 on transport/protocol
 * errors or invalid arguments. */
int mg_imap_append_many(mg_imap *c, const char *wire_mailbox, const mg_imap_append_msg *msgs,
                        size_t n, mg_imap_append_result *res, mg_err *err);

/* UID STORE uid_set <op>FLAGS.SILENT (flags).  op: '+', '-' or '='. Target only. */
int mg_imap_uid_store_flags(mg_imap *c, const char *uid_set, char op, const char *flags,
                            mg_err *err);

/* UID EXPUNGE uid_set (UIDPLUS; only those messages, and only when flagged
 * \Deleted).  Target only. */
int mg_imap_uid_expunge(mg_imap *c, const char *uid_set, mg_err *err);

/* UID SEARCH <criteria> (raw IMAP search criteria, e.g. "ALL",
 * "SINCE 1-Jan-2020").  *uids malloc'd, ascending as sent. */
int mg_imap_uid_search(mg_imap *c, const char *criteria, uint32_t **uids, size_t *n,
                       mg_err *err);

/* Subject header of messages, for reports: pipelined UID FETCH <ranges>
 * (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)]) on the selected/examined mailbox,
 * up to 128 uids per command and 4 commands in flight; never reads bodies.
 * cb(arg, uid, field, len) once per returned message with the raw header
 * field block as sent ("Subject: =?UTF-8?B?...?=\r\n\r\n", folded; len 0 or
 * "\r\n" when the message has no Subject); pointers valid during the call.
 * Uids the server does not return are simply not reported.  A NO reply
 * (e.g. expunged meanwhile) is not an error. */
typedef void (*mg_imap_subject_cb)(void *arg, uint32_t uid, const char *field, size_t len);
int mg_imap_fetch_subjects(mg_imap *c, const uint32_t *uids, size_t n, mg_imap_subject_cb cb,
                           void *arg, mg_err *err);

/* The same for any header fields (space-separated names, e.g. "MESSAGE-ID"). */
int mg_imap_fetch_header_fields(mg_imap *c, const uint32_t *uids, size_t n, const char *fields,
                                mg_imap_subject_cb cb, void *arg, mg_err *err);

/* Decode a raw Subject header field block (as delivered above, or a bare
 * value): unfold, decode RFC 2047 encoded-words (B and Q; UTF-8, US-ASCII and
 * ISO-8859-1 are converted to UTF-8, other charsets are kept raw), drop the
 * whitespace between adjacent encoded-words, and truncate to at most max
 * bytes (on a UTF-8 character boundary).  Returns a malloc'd string, or NULL
 * when the block is empty (no Subject field).  A block starting "Subject:"
 * is read up to the end of that field; anything else is decoded as a bare
 * value. */
char *mg_mime_decode_subject(const char *field, size_t len, size_t max);

/* Build a uid set ("1:5,9,12:14") from ascending uids; caller frees. */
char *mg_imap_uid_set(const uint32_t *uids, size_t n);

/* Parse a uid set as servers send it ("41,43:116,118"; a range is expanded
 * from its lower to its higher end, in the order written) into *out
 * (malloc'd).  More than max uids, a zero or a malformed set: -1 (MGC_PROTOCOL). */
int mg_imap_uid_set_parse(const char *set, size_t max, uint32_t **out, size_t *n, mg_err *err);

/* ---- moving messages on a target (imap_target_ops.c) ---- */

/* What a COPY or MOVE answered in [COPYUID uidvalidity src-set dst-set]
 * (UIDPLUS): src[i] is now dst[i] in the destination folder; n 0 when the
 * server sent none. */
typedef struct mg_imap_copyuid { uint32_t uidvalidity; uint32_t *src, *dst; size_t n; } mg_imap_copyuid;
void mg_imap_copyuid_free(mg_imap_copyuid *m);

/* Move the messages uid_set of the selected folder to to_wire: UID MOVE
 * (RFC 6851) when offered, else UID COPY, UID STORE +FLAGS.SILENT (\Deleted)
 * and UID EXPUNGE of exactly those uids (needs UIDPLUS; without it refused
 * with MGC_INVALIDOP "UidExpungeNotOffered" before anything is copied).
 * map (may be NULL) receives the COPYUID answer.  Target only. */
int mg_imap_uid_move(mg_imap *c, const char *uid_set, const char *to_wire, mg_imap_copyuid *map,
                     mg_err *err);

/* ---- QRESYNC (RFC 7162; imap_qresync.c) ---- */

/* ENABLE QRESYNC when the server offers it (call after login, before any
 * EXAMINE); *on (may be NULL) tells whether it is on.  A NO leaves it off. */
int mg_imap_enable_qresync(mg_imap *c, bool *on, mg_err *err);
bool mg_imap_qresync_enabled(const mg_imap *c);
/* EXAMINE with (QRESYNC (uidvalidity modseq [known_uids])): the status as
 * mg_imap_examine gives it, and in *vanished (malloc'd, may be empty) the uids
 * the server reported in VANISHED (EARLIER): expunged since modseq (a server
 * may list more: uids expunged earlier or never used, never one that exists).
 * When the folder's UIDVALIDITY is not the one given the server sends no
 * VANISHED; the caller must compare st->uidvalidity.  Needs
 * mg_imap_enable_qresync first (MGC_INVALIDOP "QresyncNotEnabled"). */
int mg_imap_examine_qresync(mg_imap *c, const char *wire_name, uint32_t uidvalidity, uint64_t modseq,
                            const char *known_uids, mg_imap_mbox_status *st, uint32_t **vanished,
                            size_t *n_vanished, mg_err *err);

/* LOGOUT (best effort, bounded). */
int mg_imap_logout(mg_imap *c, mg_err *err);
/* Close the connection and free (NULL is fine).  Does not send LOGOUT. */
void mg_imap_close(mg_imap *c);

#endif
