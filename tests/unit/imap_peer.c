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

static const char CAPS[] = "IMAP4rev1 LITERAL+ AUTH=PLAIN SASL-IR NAMESPACE UIDPLUS";

/* one command; false when the connection ends */
static bool command(peer *p, int fd, char *line, strbuf *o)
{
	char *rest = line;
	char *tag = arg(&rest), *cmd = arg(&rest);
	bool go_on = true;
	if (!tag || !cmd) {
		fail(p, "empty command", line);
		go_on = false;
		goto done;
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
		pthread_mutex_lock(&p->mu);
		strbuf_adds(&p->log, line);
		strbuf_addc(&p->log, '\n');
		bool go_on = command(p, fd, line, &o);
		pthread_mutex_unlock(&p->mu);
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
	strbuf_free(&p->log);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
