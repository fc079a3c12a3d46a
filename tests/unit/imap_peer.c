/*
 * imap_peer.c - the scripted IMAP source of the sync unit tests (see
 * imap_peer.h).  Answers from its mailbox model, one command line at a
 * time, in the order received (so the client's pipelined fetches work).
 */
#include "config.h"
#include "imap_peer.h"
#include "common/mem.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct pmsg { uint32_t uid; char *flags; char *body; uint32_t dseed; /* its INTERNALDATE */ } pmsg;
typedef struct pfolder {
	char *name;
	uint32_t uidvalidity, uidnext;
	bool subscribed;
	pmsg *m; size_t n, cap;
} pfolder;

struct peer {
	int lfd, port;
	pthread_t th;
	pthread_mutex_t mu;
	volatile int stop;
	pfolder *f; size_t nf, capf;
	char error[512];
	strbuf log;               /* every command line received */
	pfolder *sel;             /* examined folder */
	char refuse[32];          /* a command answered NO (peer_refuse) */
	/* target mode (peer_start_target): writes allowed */
	bool target;
	long appends;             /* APPEND commands received */
	long crash_at;            /* peer_crash_at: the APPEND that ends the connection */
	bool crash_store;         /* ... after storing it (else it is stored late) */
	volatile sig_atomic_t *crash_cancel;
	char *late_box, *late_body;   /* an APPEND stored only when the next one arrives */
	bool drop_conn;           /* close the connection after this command, without a reply */
};

/* ---- model ---- */

static pfolder *find_folder(peer *p, const char *name)
{
	for (size_t i = 0; i < p->nf; i++)
		if (strcmp(p->f[i].name, name) == 0 || (!strcasecmp(name, "INBOX") && !strcasecmp(p->f[i].name, "INBOX")))
			return &p->f[i];
	return NULL;
}

void peer_add_folder(peer *p, const char *name, uint32_t uidvalidity, bool subscribed)
{
	pthread_mutex_lock(&p->mu);
	GROW(p->f, p->capf, p->nf + 1);
	p->f[p->nf++] = (pfolder){ xstrdup(name), uidvalidity, 1, subscribed, NULL, 0, 0 };
	pthread_mutex_unlock(&p->mu);
}

static uint32_t add_msg(peer *p, const char *folder, const char *subject, const char *flags, size_t pad,
                        bool msgid)
{
	pthread_mutex_lock(&p->mu);
	pfolder *f = find_folder(p, folder);
	uint32_t uid = f->uidnext++;
	strbuf b = STRBUF_INIT;
	strbuf_addf(&b, "From: a@example.org\r\nTo: b@example.org\r\nSubject: %s\r\n", subject);
	if (msgid)
		strbuf_addf(&b, "Message-ID: <%s.%u.%u@example.org>\r\n", folder, f->uidvalidity, uid);
	strbuf_adds(&b, "\r\n");
	for (size_t i = 0; i < pad; i++)
		strbuf_addc(&b, (i % 77) == 76 ? '\n' : (char)('a' + (i + uid) % 26));
	strbuf_adds(&b, "\r\n");
	GROW(f->m, f->cap, f->n + 1);
	f->m[f->n++] = (pmsg){ uid, xstrdup(flags), strbuf_detach(&b, NULL), uid };
	pthread_mutex_unlock(&p->mu);
	return uid;
}

uint32_t peer_add_msg(peer *p, const char *folder, const char *subject, const char *flags, size_t pad)
{
	return add_msg(p, folder, subject, flags, pad, true);
}

uint32_t peer_add_msg_no_msgid(peer *p, const char *folder, const char *subject, const char *flags, size_t pad)
{
	return add_msg(p, folder, subject, flags, pad, false);
}

static pmsg *find_msg(pfolder *f, uint32_t uid)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (f->m[i].uid == uid)
			return &f->m[i];
	return NULL;
}

void peer_set_flags(peer *p, const char *folder, uint32_t uid, const char *flags)
{
	pthread_mutex_lock(&p->mu);
	pmsg *m = find_msg(find_folder(p, folder), uid);
	free(m->flags);
	m->flags = xstrdup(flags);
	pthread_mutex_unlock(&p->mu);
}

void peer_set_date(peer *p, const char *folder, uint32_t uid, uint32_t day)
{
	pthread_mutex_lock(&p->mu);
	find_msg(find_folder(p, folder), uid)->dseed = day;
	pthread_mutex_unlock(&p->mu);
}

void peer_expunge(peer *p, const char *folder, uint32_t uid)
{
	pthread_mutex_lock(&p->mu);
	pfolder *f = find_folder(p, folder);
	for (size_t i = 0; i < f->n; i++)
		if (f->m[i].uid == uid) {
			free(f->m[i].flags);
			free(f->m[i].body);
			memmove(&f->m[i], &f->m[i + 1], (f->n - i - 1) * sizeof *f->m);
			f->n--;
			break;
		}
	pthread_mutex_unlock(&p->mu);
}

uint32_t peer_move(peer *p, const char *from, uint32_t uid, const char *to)
{
	pthread_mutex_lock(&p->mu);
	pfolder *a = find_folder(p, from), *b = find_folder(p, to);
	uint32_t nu = 0;
	for (size_t i = 0; i < a->n; i++)
		if (a->m[i].uid == uid) {
			pmsg m = a->m[i];
			memmove(&a->m[i], &a->m[i + 1], (a->n - i - 1) * sizeof *a->m);
			a->n--;
			m.uid = nu = b->uidnext++;
			GROW(b->m, b->cap, b->n + 1);
			b->m[b->n++] = m;
			break;
		}
	pthread_mutex_unlock(&p->mu);
	return nu;
}

uint32_t peer_add_lookalike(peer *p, const char *folder, uint32_t uid, const char *to)
{
	pthread_mutex_lock(&p->mu);
	pmsg *m = find_msg(find_folder(p, folder), uid);
	pfolder *b = find_folder(p, to);
	char *body = xstrdup(m->body);
	char *id = strstr(body, "Message-ID: <");
	if (id)
		id[13] = id[13] == 'X' ? 'Y' : 'X';
	GROW(b->m, b->cap, b->n + 1);
	uint32_t nu = b->uidnext++;
	b->m[b->n++] = (pmsg){ nu, xstrdup(m->flags), body, m->dseed };
	pthread_mutex_unlock(&p->mu);
	return nu;
}

void peer_subscribe(peer *p, const char *folder, bool on)
{
	pthread_mutex_lock(&p->mu);
	find_folder(p, folder)->subscribed = on;
	pthread_mutex_unlock(&p->mu);
}

void peer_refuse(peer *p, const char *command)
{
	pthread_mutex_lock(&p->mu);
	snprintf(p->refuse, sizeof p->refuse, "%s", command);
	pthread_mutex_unlock(&p->mu);
}

void peer_rename_folder(peer *p, const char *from, const char *to)
{
	pthread_mutex_lock(&p->mu);
	pfolder *f = find_folder(p, from);
	free(f->name);
	f->name = xstrdup(to);
	pthread_mutex_unlock(&p->mu);
}

void peer_renumber(peer *p, const char *folder, uint32_t uidvalidity)
{
	pthread_mutex_lock(&p->mu);
	pfolder *f = find_folder(p, folder);
	f->uidvalidity = uidvalidity;
	f->uidnext = 1;
	for (size_t i = 0; i < f->n; i++)
		f->m[i].uid = f->uidnext++;
	pthread_mutex_unlock(&p->mu);
}

const char *peer_body(peer *p, const char *folder, uint32_t uid)
{
	pthread_mutex_lock(&p->mu);
	pmsg *m = find_msg(find_folder(p, folder), uid);
	pthread_mutex_unlock(&p->mu);
	return m ? m->body : NULL;
}

/* ---- protocol ---- */

static void fail(peer *p, const char *what, const char *line)
{
	if (!p->error[0])
		snprintf(p->error, sizeof p->error, "%s: %s", what, line);
}

static void out(int fd, strbuf *o)
{
	size_t off = 0;
	while (off < o->len) {
		ssize_t n = send(fd, o->buf + off, o->len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	strbuf_reset(o);
}

/* next argument: "quoted" or an atom; NULL at the end */
static char *arg(char **s)
{
	char *p = *s;
	while (*p == ' ')
		p++;
	if (!*p)
		return NULL;
	strbuf b = STRBUF_INIT;
	strbuf_adds(&b, "");
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			strbuf_addc(&b, *p);
		}
		if (*p)
			p++;
	} else if (*p == '(') {
		int depth = 0;
		do {
			depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
			strbuf_addc(&b, *p++);
		} while (*p && depth);
	} else {
		while (*p && *p != ' ')
			strbuf_addc(&b, *p++);
	}
	*s = p;
	return strbuf_detach(&b, NULL);
}

static bool in_set(const char *set, uint32_t uid, uint32_t max)
{
	const char *p = set;
	while (*p) {
		char *e;
		uint32_t a = *p == '*' ? max : (uint32_t)strtoul(p, &e, 10);
		p = *p == '*' ? p + 1 : e;
		uint32_t b = a;
		if (*p == ':') {
			p++;
			b = *p == '*' ? max : (uint32_t)strtoul(p, &e, 10);
			p = *p == '*' ? p + 1 : e;
		}
		if (a > b) {
			uint32_t t = a;
			a = b;
			b = t;
		}
		if (uid >= a && uid <= b)
			return true;
		if (*p == ',')
			p++;
		else
			break;
	}
	return false;
}

static void quoted(strbuf *o, const char *s)
{
	strbuf_addc(o, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addc(o, '\\');
		strbuf_addc(o, *s);
	}
	strbuf_addc(o, '"');
}

static void do_fetch(peer *p, strbuf *o, const char *tag, char *rest)
{
	char *set = arg(&rest);
	while (*rest == ' ')
		rest++;
	pfolder *f = p->sel;
	if (!f || !set) {
		strbuf_addf(o, "%s BAD no folder examined\r\n", tag);
		free(set);
		return;
	}
	uint32_t max = f->n ? f->m[f->n - 1].uid : 0;
	bool body = strstr(rest, "BODY.PEEK[]") != NULL;
	bool subj = strstr(rest, "HEADER.FIELDS (SUBJECT)") != NULL;
	bool mid = strstr(rest, "HEADER.FIELDS (MESSAGE-ID)") != NULL;
	size_t hits = 0;
	for (size_t i = 0; i < f->n; i++) {
		pmsg *m = &f->m[i];
		if (!in_set(set, m->uid, max))
			continue;
		hits++;
		strbuf_addf(o, "* %zu FETCH (UID %u ", i + 1, m->uid);
		if (body) {
			strbuf_addf(o, "BODY[] {%zu}\r\n", strlen(m->body));
			strbuf_adds(o, m->body);
		} else if (subj) {
			const char *s = strstr(m->body, "Subject:");
			size_t l = strcspn(s, "\r");
			strbuf_addf(o, "BODY[HEADER.FIELDS (SUBJECT)] {%zu}\r\n", l + 4);
			strbuf_add(o, s, l);
			strbuf_adds(o, "\r\n\r\n");
		} else if (mid) {
			const char *s = strstr(m->body, "Message-ID:");
			if (s && s > strstr(m->body, "\r\n\r\n"))
				s = NULL;
			size_t l = s ? strcspn(s, "\r") : 0;
			strbuf_addf(o, "BODY[HEADER.FIELDS (MESSAGE-ID)] {%zu}\r\n", s ? l + 4 : 2);
			if (s)
				strbuf_add(o, s, l);
			strbuf_adds(o, s ? "\r\n\r\n" : "\r\n");
		} else {
			strbuf_addf(o, "FLAGS (%s) INTERNALDATE \"%02u-Mar-2025 10:%02u:00 +0000\" RFC822.SIZE %zu",
			            m->flags, 1 + m->dseed % 28, m->dseed % 60, strlen(m->body));
		}
		strbuf_adds(o, ")\r\n");
	}
	/* "N:*" also returns the last message when N > every uid (RFC 9051) */
	if (!hits && f->n && strchr(set, '*') && !body && !subj && !mid) {
		pmsg *m = &f->m[f->n - 1];
		strbuf_addf(o, "* %zu FETCH (UID %u FLAGS (%s) INTERNALDATE \"%02u-Mar-2025 10:%02u:00 +0000\" "
		            "RFC822.SIZE %zu)\r\n", f->n, m->uid, m->flags, 1 + m->dseed % 28, m->dseed % 60,
		            strlen(m->body));
	}
	strbuf_addf(o, "%s OK fetched\r\n", tag);
	free(set);
}

/* ---- target mode: the writes a destination makes ---- */

static void set_flags_op(pmsg *m, char op, const char *list)
{
	strbuf b = STRBUF_INIT;
	strbuf_adds(&b, "");
	char *cur = op == '=' ? xstrdup("") : xstrdup(m->flags);
	/* the flags of cur (minus list when op '-'), then list when op is '+' or '=' */
	char *save = NULL;
	for (char *t = strtok_r(cur, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		bool in_list = false;
		char *l2 = xstrdup(list), *s2 = NULL;
		for (char *u = strtok_r(l2, " ", &s2); u && !in_list; u = strtok_r(NULL, " ", &s2))
			in_list = !strcasecmp(u, t);
		free(l2);
		if (in_list)
			continue;      /* '-': removed; '+': added again below */
		strbuf_addf(&b, "%s%s", b.len ? " " : "", t);
	}
	free(cur);
	if (op != '-' && *list)
		strbuf_addf(&b, "%s%s", b.len ? " " : "", list);
	free(m->flags);
	m->flags = strbuf_detach(&b, NULL);
}

static void store_msg(pfolder *f, const char *flags, const char *body, size_t len)
{
	GROW(f->m, f->cap, f->n + 1);
	uint32_t uid = f->uidnext++;
	f->m[f->n++] = (pmsg){ uid, xstrdup(flags), xstrndup(body, len), uid };
}

static bool has_flag(const char *flags, const char *flag)
{
	size_t l = strlen(flag);
	for (const char *s = flags; (s = strcasestr(s, flag)) != NULL; s += l)
		if ((s == flags || s[-1] == ' ') && (s[l] == ' ' || !s[l]))
			return true;
	return false;
}

static void expunge_deleted(pfolder *f, const char *set)
{
	uint32_t max = f->n ? f->m[f->n - 1].uid : 0;
	for (size_t i = 0; i < f->n;) {
		pmsg *m = &f->m[i];
		if (has_flag(m->flags, "\\Deleted") && (!set || in_set(set, m->uid, max))) {
			free(m->flags);
			free(m->body);
			memmove(&f->m[i], &f->m[i + 1], (f->n - i - 1) * sizeof *f->m);
			f->n--;
		} else {
			i++;
		}
	}
}

/* one write command (target mode); false: not one */
static bool write_command(peer *p, strbuf *o, const char *tag, const char *cmd, char *rest,
                          const char *lit, size_t litlen)
{
	if (!strcasecmp(cmd, "SELECT")) {
		char *name = arg(&rest);
		pfolder *f = name ? find_folder(p, name) : NULL;
		if (!f) {
			strbuf_addf(o, "%s NO [NONEXISTENT] no such folder\r\n", tag);
		} else {
			p->sel = f;
			strbuf_addf(o, "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)\r\n* %zu EXISTS\r\n"
			            "* OK [UIDVALIDITY %u] v\r\n* OK [UIDNEXT %u] n\r\n%s OK [READ-WRITE] selected\r\n",
			            f->n, f->uidvalidity, f->uidnext, tag);
		}
		free(name);
	} else if (!strcasecmp(cmd, "CREATE")) {
		char *name = arg(&rest);
		if (find_folder(p, name)) {
			strbuf_addf(o, "%s NO [ALREADYEXISTS] exists\r\n", tag);
		} else {
			GROW(p->f, p->capf, p->nf + 1);
			p->f[p->nf] = (pfolder){ xstrdup(name), 1000 + (uint32_t)p->nf, 1, false, NULL, 0, 0 };
			p->nf++;
			p->sel = NULL;     /* p->f moved */
			strbuf_addf(o, "%s OK created\r\n", tag);
		}
		free(name);
	} else if (!strcasecmp(cmd, "SUBSCRIBE") || !strcasecmp(cmd, "UNSUBSCRIBE")) {
		char *name = arg(&rest);
		pfolder *f = name ? find_folder(p, name) : NULL;
		if (f)
			f->subscribed = !strcasecmp(cmd, "SUBSCRIBE");
		strbuf_addf(o, "%s OK done\r\n", tag);
		free(name);
	} else if (!strcasecmp(cmd, "APPEND")) {
		char *name = arg(&rest);
		while (*rest == ' ')
			rest++;
		char *flags = *rest == '(' ? arg(&rest) : xstrdup("()");
		size_t fl = strlen(flags);
		if (fl >= 2) {
			memmove(flags, flags + 1, fl - 2);
			flags[fl - 2] = '\0';
		}
		pfolder *f = name ? find_folder(p, name) : NULL;
		p->appends++;
		if (!f || !lit) {
			strbuf_addf(o, "%s NO [TRYCREATE] no such folder\r\n", tag);
		} else if (p->appends == p->crash_at) {
			/* the client "crashes" here: stopped, its connection gone */
			if (p->crash_store) {
				store_msg(f, flags, lit, litlen);
			} else {
				free(p->late_box);
				free(p->late_body);
				p->late_box = xstrdup(name);
				p->late_body = xstrndup(lit, litlen);
			}
			if (p->crash_cancel)
				*p->crash_cancel = 1;
			p->drop_conn = true;
		} else {
			if (p->late_body) {      /* the dead session's APPEND arrives now */
				pfolder *lf = find_folder(p, p->late_box);
				store_msg(lf, "", p->late_body, strlen(p->late_body));
				free(p->late_box);
				free(p->late_body);
				p->late_box = p->late_body = NULL;
			}
			store_msg(f, flags, lit, litlen);
			strbuf_addf(o, "%s OK [APPENDUID %u %u] appended\r\n", tag, f->uidvalidity, f->uidnext - 1);
		}
		free(name);
		free(flags);
	} else if (!strcasecmp(cmd, "UID") && p->sel) {
		char *sub = arg(&rest);
		if (sub && !strcasecmp(sub, "STORE")) {
			char *set = arg(&rest), *what = arg(&rest);
			while (*rest == ' ')
				rest++;
			char *list = arg(&rest);
			if (!set || !what || !list) {
				strbuf_addf(o, "%s BAD store\r\n", tag);
			} else {
				size_t ll = strlen(list);
				if (ll >= 2 && list[0] == '(') {
					memmove(list, list + 1, ll - 2);
					list[ll - 2] = '\0';
				}
				char op = what[0] == '+' ? '+' : what[0] == '-' ? '-' : '=';
				pfolder *f = p->sel;
				uint32_t max = f->n ? f->m[f->n - 1].uid : 0;
				for (size_t i = 0; i < f->n; i++)
					if (in_set(set, f->m[i].uid, max))
						set_flags_op(&f->m[i], op, list);
				strbuf_addf(o, "%s OK stored\r\n", tag);
			}
			free(set);
			free(what);
			free(list);
		} else if (sub && !strcasecmp(sub, "EXPUNGE")) {
			char *set = arg(&rest);
			expunge_deleted(p->sel, set);
			strbuf_addf(o, "%s OK expunged\r\n", tag);
			free(set);
		} else {
			free(sub);
			return false;
		}
		free(sub);
	} else if (!strcasecmp(cmd, "EXPUNGE") && p->sel) {
		expunge_deleted(p->sel, NULL);
		strbuf_addf(o, "%s OK expunged\r\n", tag);
	} else if (!strcasecmp(cmd, "CLOSE") || !strcasecmp(cmd, "UNSELECT")) {
		p->sel = NULL;
		strbuf_addf(o, "%s OK closed\r\n", tag);
	} else {
		return false;
	}
	return true;
}

static const char CAPS[] = "IMAP4rev1 LITERAL+ AUTH=PLAIN SASL-IR NAMESPACE UIDPLUS";

/* one command; false when the connection ends */
static bool command(peer *p, int fd, char *line, const char *lit, size_t litlen, strbuf *o)
{
	char *rest = line;
	char *tag = arg(&rest), *cmd = arg(&rest);
	bool go_on = true;
	if (!tag || !cmd) {
		fail(p, "empty command", line);
		go_on = false;
		goto done;
	}
	if (p->target) {
		char *r2 = rest;
		if (write_command(p, o, tag, cmd, r2, lit, litlen)) {
			if (p->drop_conn) {
				strbuf_reset(o);
				go_on = false;
			}
			goto done;
		}
	}
	if (p->refuse[0] && !strcasecmp(cmd, p->refuse)) {
		strbuf_addf(o, "%s NO refused by the test\r\n", tag);
	} else if (!strcasecmp(cmd, "UID")) {
		char *sub = arg(&rest);
		if (sub && !strcasecmp(sub, "FETCH")) {
			do_fetch(p, o, tag, rest);
		} else if (sub && !strcasecmp(sub, "SEARCH")) {
			strbuf_adds(o, "* SEARCH");
			for (size_t i = 0; p->sel && i < p->sel->n; i++)
				strbuf_addf(o, " %u", p->sel->m[i].uid);
			strbuf_addf(o, "\r\n%s OK searched\r\n", tag);
		} else {
			fail(p, "not a read-only command", line);
			strbuf_addf(o, "%s NO read-only peer\r\n", tag);
		}
		free(sub);
	} else if (!strcasecmp(cmd, "AUTHENTICATE") || !strcasecmp(cmd, "LOGIN")) {
		strbuf_addf(o, "%s OK [CAPABILITY %s] logged in\r\n", tag, CAPS);
	} else if (!strcasecmp(cmd, "CAPABILITY")) {
		strbuf_addf(o, "* CAPABILITY %s\r\n%s OK done\r\n", CAPS, tag);
	} else if (!strcasecmp(cmd, "NAMESPACE")) {
		strbuf_addf(o, "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n%s OK done\r\n", tag);
	} else if (!strcasecmp(cmd, "LIST") || !strcasecmp(cmd, "LSUB")) {
		for (size_t i = 0; i < p->nf; i++) {
			if (!strcasecmp(cmd, "LSUB") && !p->f[i].subscribed)
				continue;
			strbuf_addf(o, "* %s () \"/\" ", !strcasecmp(cmd, "LIST") ? "LIST" : "LSUB");
			quoted(o, p->f[i].name);
			strbuf_adds(o, "\r\n");
		}
		strbuf_addf(o, "%s OK listed\r\n", tag);
	} else if (!strcasecmp(cmd, "STATUS") || !strcasecmp(cmd, "EXAMINE")) {
		char *name = arg(&rest);
		pfolder *f = name ? find_folder(p, name) : NULL;
		if (!f) {
			strbuf_addf(o, "%s NO [NONEXISTENT] no such folder\r\n", tag);
		} else if (!strcasecmp(cmd, "STATUS")) {
			strbuf_adds(o, "* STATUS ");
			quoted(o, f->name);
			strbuf_addf(o, " (MESSAGES %zu UIDNEXT %u UIDVALIDITY %u UNSEEN 0)\r\n%s OK status\r\n",
			            f->n, f->uidnext, f->uidvalidity, tag);
		} else {
			p->sel = f;
			strbuf_addf(o, "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)\r\n* %zu EXISTS\r\n"
			            "* OK [UIDVALIDITY %u] v\r\n* OK [UIDNEXT %u] n\r\n%s OK [READ-ONLY] examined\r\n",
			            f->n, f->uidvalidity, f->uidnext, tag);
		}
		free(name);
	} else if (!strcasecmp(cmd, "LOGOUT")) {
		strbuf_addf(o, "* BYE bye\r\n%s OK logged out\r\n", tag);
		go_on = false;
	} else if (!strcasecmp(cmd, "NOOP") || !strcasecmp(cmd, "ID") || !strcasecmp(cmd, "ENABLE")) {
		strbuf_addf(o, "%s OK done\r\n", tag);
	} else {
		fail(p, "not a read-only command", line);
		strbuf_addf(o, "%s BAD not here\r\n", tag);
	}
done:
	out(fd, o);
	free(tag);
	free(cmd);
	return go_on;
}

static void serve(peer *p, int fd)
{
	strbuf in = STRBUF_INIT, o = STRBUF_INIT;
	strbuf_addf(&o, "* OK [CAPABILITY %s] peer ready\r\n", CAPS);
	out(fd, &o);
	p->sel = NULL;
	char buf[4096];
	for (;;) {
		char *nl;
		while (!in.buf || !(nl = memchr(in.buf, '\n', in.len))) {
			ssize_t n = recv(fd, buf, sizeof buf, 0);
			if (n <= 0)
				goto end;
			strbuf_add(&in, buf, (size_t)n);
		}
		size_t l = (size_t)(nl - in.buf);
		char *line = xstrndup(in.buf, l && in.buf[l - 1] == '\r' ? l - 1 : l);
		memmove(in.buf, nl + 1, in.len - l - 1);
		in.len -= l + 1;
		/* a literal ({N} or {N+}) at the end of the line: its bytes, then the rest of the command */
		char *lit = NULL;
		size_t litlen = 0, ll = strlen(line);
		char *open = ll && line[ll - 1] == '}' ? strrchr(line, '{') : NULL;
		if (p->target && open) {
			litlen = strtoul(open + 1, NULL, 10);
			if (line[ll - 2] != '+') {
				strbuf_adds(&o, "+ go ahead\r\n");
				out(fd, &o);
			}
			*open = '\0';
			while (in.len < litlen) {
				ssize_t n = recv(fd, buf, sizeof buf, 0);
				if (n <= 0) {
					free(line);
					goto end;
				}
				strbuf_add(&in, buf, (size_t)n);
			}
			lit = xstrndup(in.buf, litlen);
			memmove(in.buf, in.buf + litlen, in.len - litlen);
			in.len -= litlen;
			while (!(nl = memchr(in.buf, '\n', in.len))) {    /* the end of the command line */
				ssize_t n = recv(fd, buf, sizeof buf, 0);
				if (n <= 0) {
					free(lit);
					free(line);
					goto end;
				}
				strbuf_add(&in, buf, (size_t)n);
			}
			l = (size_t)(nl - in.buf);
			memmove(in.buf, nl + 1, in.len - l - 1);
			in.len -= l + 1;
		}
		pthread_mutex_lock(&p->mu);
		strbuf_adds(&p->log, line);
		strbuf_addc(&p->log, '\n');
		p->drop_conn = false;
		bool go_on = command(p, fd, line, lit, litlen, &o);
		pthread_mutex_unlock(&p->mu);
		free(lit);
		free(line);
		if (!go_on)
			break;
	}
end:
	strbuf_free(&in);
	strbuf_free(&o);
}

static void *peer_main(void *arg)
{
	peer *p = arg;
	while (!p->stop) {
		struct pollfd pf = { p->lfd, POLLIN, 0 };
		if (poll(&pf, 1, 10) <= 0)
			continue;
		int fd = accept(p->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		serve(p, fd);
		close(fd);
	}
	return NULL;
}

peer *peer_start(void)
{
	peer *p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	strbuf_adds(&p->log, "");
	p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	if (p->lfd < 0 || bind(p->lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(p->lfd, 4) < 0) {
		perror("imap_peer");
		abort();
	}
	getsockname(p->lfd, (struct sockaddr *)&a, &al);
	p->port = ntohs(a.sin_port);
	pthread_create(&p->th, NULL, peer_main, p);
	return p;
}

peer *peer_start_target(void)
{
	peer *p = peer_start();
	pthread_mutex_lock(&p->mu);
	p->target = true;
	pthread_mutex_unlock(&p->mu);
	return p;
}

void peer_crash_at(peer *p, long nth_append, bool stored, volatile sig_atomic_t *cancel)
{
	pthread_mutex_lock(&p->mu);
	p->crash_at = nth_append;
	p->crash_store = stored;
	p->crash_cancel = cancel;
	pthread_mutex_unlock(&p->mu);
}

long peer_messages(peer *p, const char *folder, const char *text)
{
	pthread_mutex_lock(&p->mu);
	pfolder *f = find_folder(p, folder);
	long n = 0;
	for (size_t i = 0; f && i < f->n; i++)
		n += strstr(f->m[i].body, text) != NULL;
	pthread_mutex_unlock(&p->mu);
	return n;
}

int peer_port(const peer *p) { return p->port; }

const char *peer_error(peer *p) { return p->error; }

long peer_count(peer *p, const char *what)
{
	pthread_mutex_lock(&p->mu);
	long n = 0;
	for (const char *s = p->log.buf; s && (s = strstr(s, what)) != NULL; s++)
		n++;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void peer_stop(peer *p)
{
	p->stop = 1;
	pthread_join(p->th, NULL);
	close(p->lfd);
	for (size_t i = 0; i < p->nf; i++) {
		for (size_t k = 0; k < p->f[i].n; k++) {
			free(p->f[i].m[k].flags);
			free(p->f[i].m[k].body);
		}
		free(p->f[i].m);
		free(p->f[i].name);
	}
	free(p->f);
	free(p->late_box);
	free(p->late_body);
	strbuf_free(&p->log);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
