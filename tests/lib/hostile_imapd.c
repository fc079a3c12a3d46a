/*
 * hostile_imapd.c - a tiny scripted IMAP server that misbehaves the way real
 * servers have been seen to, for the sync engine's tests (a real Dovecot never
 * does this).  One connection at a time, any login accepted, read-only.
 *
 *   -S names      folders with a NUL in the name (sent as a literal), raw 8-bit
 *                 bytes, a 600-byte name, a name of 110 x U+00E9 (220 bytes of
 *                 UTF-8, but too long for a file name once encoded), a normal
 *                 "Work"; INBOX has a message whose FLAGS carry a NUL outside
 *                 any literal, and one whose Subject has a raw 8-bit and a
 *                 control byte
 *   -S dupuid     INBOX holds 3 messages (EXISTS 3) but every UID FETCH lists
 *                 UID 1 twice (different sizes and bodies) and never UID 2
 *   -S dupuid1    the same, only for the first metadata read; later reads are right
 *   -S flaky      six folders of one message each; every connection is dropped
 *                 right after it fetched one message body (so each connection
 *                 gets exactly one folder done)
 *
 * Every command received is appended to LOG (-L), NULs shown as \0.
 * usage: mg-hostile-imapd -p PORT -S SCENARIO -L LOGFILE
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct msg { unsigned uid; const char *flags; const char *body; size_t flen; /* 0: strlen */ } msg;
typedef struct folder { const char *name; size_t len; const msg *m; size_t n; } folder;

typedef struct srv {
	int fd;
	const char *scenario;
	FILE *log;
	int meta_reads;
	int bodies;           /* message bodies sent on this connection */
	folder f[8];
	size_t nf;
	char longname[601];
	char accents[400];
} srv;

/* 110 x U+00E9 in modified UTF-7: "&" base64(UTF-16BE) "-" with ',' for '/' */
static void make_accents(char *out)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
	unsigned char u16[220];
	for (int i = 0; i < 110; i++) {
		u16[2 * i] = 0x00;
		u16[2 * i + 1] = 0xE9;
	}
	char *o = out;
	*o++ = '&';
	unsigned bits = 0, acc = 0;
	for (int i = 0; i < 220; i++) {
		acc = (acc << 8) | u16[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			*o++ = b64[(acc >> bits) & 63];
		}
	}
	if (bits)
		*o++ = b64[(acc << (6 - bits)) & 63];
	*o++ = '-';
	*o = 0;
}

static const msg inbox_names[] = {
	{ 1, "(\\Seen fo\0o)", "Subject: one\r\n\r\nfirst\r\n", 12 },   /* a NUL outside a literal */
	{ 2, "(\\Flagged)", "Subject: two\r\n\r\nsecond\r\n", 0 },
	{ 3, "()", "Subject: Caf\xe9\x01!\r\n\r\nraw 8-bit and a control byte in the subject\r\n", 0 },
};
static const msg work_msgs[] = { { 1, "()", "Subject: w\r\n\r\nwork\r\n", 0 } };
static const msg inbox_dup[] = {
	{ 1, "()", "Subject: one\r\n\r\nfirst\r\n", 0 },
	{ 2, "()", "Subject: two\r\n\r\nsecond message\r\n", 0 },
	{ 3, "()", "Subject: three\r\n\r\nthird\r\n", 0 },
};

static void out(srv *s, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void outs(srv *s, const char *p) { out(s, p, strlen(p)); }

static void outf(srv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(srv *s, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	out(s, buf, n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* one command, literals included (answering "+" to synchronizing ones); NULs kept */
static ssize_t read_cmd(srv *s, char *buf, size_t cap)
{
	size_t n = 0;
	for (;;) {
		char ch;
		if (recv(s->fd, &ch, 1, 0) != 1)
			return -1;
		if (n + 1 >= cap)
			return -1;
		buf[n++] = ch;
		if (ch != '\n')
			continue;
		if (n >= 4 && buf[n - 3] == '}') {
			size_t b = n - 3;
			while (b > 0 && buf[b] != '{')
				b--;
			bool sync = buf[n - 4] != '+';
			unsigned long len = strtoul(buf + b + 1, NULL, 10);
			if (sync)
				outs(s, "+ go on\r\n");
			for (unsigned long i = 0; i < len; i++) {
				if (recv(s->fd, &ch, 1, 0) != 1 || n + 1 >= cap)
					return -1;
				buf[n++] = ch;
			}
			continue;
		}
		buf[n] = 0;
		return (ssize_t)n;
	}
}

static void log_cmd(srv *s, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!b[i])
			fputs("\\0", s->log);
		else if (b[i] != '\r')
			fputc(b[i], s->log);
	}
	fflush(s->log);
}

static void send_name(srv *s, const folder *f)
{
	outf(s, "{%zu}\r\n", f->len);
	out(s, f->name, f->len);
}

/* the folder a command names: the last one whose exact bytes appear in it */
static const folder *named(srv *s, const char *cmd, size_t n)
{
	const folder *best = NULL;
	for (size_t i = 0; i < s->nf; i++) {
		const folder *f = &s->f[i];
		if (f->len <= n && memmem(cmd, n, f->name, f->len) && (!best || f->len > best->len))
			best = f;
	}
	return best;
}

static bool uid_in(const char *set, unsigned uid)
{
	/* "1:*", "1,3", "2:3" */
	const char *p = set;
	while (*p) {
		unsigned a = (unsigned)strtoul(p, (char **)&p, 10), b = a;
		if (*p == ':') {
			p++;
			if (*p == '*') { b = ~0u; p++; }
			else b = (unsigned)strtoul(p, (char **)&p, 10);
		}
		if (a > b) { unsigned t = a; a = b; b = t; }
		if (uid >= a && uid <= b)
			return true;
		if (*p != ',')
			break;
		p++;
	}
	return false;
}

static void fetch(srv *s, const char *tag, const folder *f, const char *cmd)
{
	const char *set = strstr(cmd, "UID FETCH ") + 10;
	bool meta = strstr(cmd, "RFC822.SIZE") != NULL, subj = strstr(cmd, "HEADER.FIELDS") != NULL;
	bool dup = !strcmp(s->scenario, "dupuid") || (!strcmp(s->scenario, "dupuid1") && s->meta_reads == 0);
	if (meta)
		s->meta_reads++;
	for (size_t i = 0; f && i < f->n; i++) {
		const msg *m = &f->m[i];
		unsigned uid = m->uid;
		if (dup && f->m == inbox_dup && uid == 2)
			uid = 1;                  /* the server hands out message 2 as UID 1 */
		if (!uid_in(set, uid))
			continue;
		if (meta) {
			outf(s, "* %zu FETCH (UID %u FLAGS ", i + 1, uid);
			out(s, m->flags, m->flen ? m->flen : strlen(m->flags));
			outf(s, " INTERNALDATE \"01-Jan-2024 10:00:00 +0000\" RFC822.SIZE %zu)\r\n", strlen(m->body));
		} else if (subj) {
			const char *e = strstr(m->body, "\r\n");
			outf(s, "* %zu FETCH (UID %u BODY[HEADER.FIELDS (SUBJECT)] {%zu}\r\n%.*s\r\n\r\n)\r\n", i + 1, uid,
			     (size_t)(e - m->body) + 4, (int)(e - m->body), m->body);
		} else {
			outf(s, "* %zu FETCH (UID %u BODY[] {%zu}\r\n%s)\r\n", i + 1, uid, strlen(m->body), m->body);
			s->bodies++;
		}
	}
	outf(s, "%s OK UID FETCH done\r\n", tag);
}

static void session(srv *s)
{
	char cmd[65536];
	const folder *sel = NULL;
	s->bodies = 0;
	outs(s, "* OK [CAPABILITY IMAP4rev1] hostile server ready\r\n");
	for (;;) {
		ssize_t n = read_cmd(s, cmd, sizeof cmd);
		if (n < 0)
			return;
		log_cmd(s, cmd, (size_t)n);
		if (!strcmp(s->scenario, "flaky") && s->bodies > 0 && !strstr(cmd, "LOGOUT"))
			return;           /* drop the connection without an answer */
		char tag[64] = "";
		sscanf(cmd, "%63s", tag);
		const char *verb = cmd + strlen(tag) + 1;
		if (!strncasecmp(verb, "CAPABILITY", 10)) {
			outf(s, "* CAPABILITY IMAP4rev1\r\n%s OK done\r\n", tag);
		} else if (!strncasecmp(verb, "LOGOUT", 6)) {
			outf(s, "* BYE bye\r\n%s OK done\r\n", tag);
			return;
		} else if (!strncasecmp(verb, "LIST", 4)) {
			for (size_t i = 0; i < s->nf; i++) {
				outs(s, "* LIST () \"/\" ");
				send_name(s, &s->f[i]);
				outs(s, "\r\n");
			}
			outf(s, "%s OK LIST done\r\n", tag);
		} else if (!strncasecmp(verb, "STATUS", 6) || !strncasecmp(verb, "EXAMINE", 7)) {
			const folder *f = named(s, verb + 7, (size_t)n - (size_t)(verb + 7 - cmd));
			if (!f) {
				outf(s, "%s NO no such folder\r\n", tag);
				continue;
			}
			unsigned next = f->n ? f->m[f->n - 1].uid + 1 : 1;
			if (verb[0] == 'S' || verb[0] == 's') {
				outs(s, "* STATUS ");
				send_name(s, f);
				outf(s, " (MESSAGES %zu UIDNEXT %u UIDVALIDITY 7 UNSEEN 0)\r\n%s OK done\r\n", f->n, next, tag);
			} else {
				sel = f;
				outf(s, "* %zu EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT %u] ok\r\n"
				     "* FLAGS (\\Seen \\Flagged)\r\n%s OK [READ-ONLY] done\r\n", f->n, next, tag);
			}
		} else if (!strncasecmp(verb, "UID FETCH", 9)) {
			fetch(s, tag, sel, cmd);
		} else {
			outf(s, "%s OK done\r\n", tag);
		}
	}
}

int main(int argc, char **argv)
{
	srv s;
	memset(&s, 0, sizeof s);
	int port = 0, opt;
	const char *logpath = "/dev/null";
	s.scenario = "names";
	while ((opt = getopt(argc, argv, "p:S:L:")) != -1) {
		if (opt == 'p') port = atoi(optarg);
		else if (opt == 'S') s.scenario = optarg;
		else if (opt == 'L') logpath = optarg;
		else return 2;
	}
	s.log = fopen(logpath, "a");
	if (!port || !s.log) {
		fprintf(stderr, "usage: mg-hostile-imapd -p PORT -S names|dupuid|dupuid1 -L LOGFILE\n");
		return 2;
	}
	if (!strcmp(s.scenario, "names")) {
		memset(s.longname, 'L', 600);
		s.f[s.nf++] = (folder){ "INBOX", 5, inbox_names, 3 };
		s.f[s.nf++] = (folder){ "Ab\0cd", 5, NULL, 0 };
		s.f[s.nf++] = (folder){ "Caf\xe9", 4, NULL, 0 };
		s.f[s.nf++] = (folder){ s.longname, 600, work_msgs, 1 };
		make_accents(s.accents);
		s.f[s.nf++] = (folder){ s.accents, strlen(s.accents), work_msgs, 1 };
		s.f[s.nf++] = (folder){ "Work", 4, work_msgs, 1 };
	} else if (!strcmp(s.scenario, "flaky")) {
		static const char *const names[] = { "INBOX", "F1", "F2", "F3", "F4", "F5" };
		for (size_t i = 0; i < 6; i++)
			s.f[s.nf++] = (folder){ names[i], strlen(names[i]), work_msgs, 1 };
	} else {
		s.f[s.nf++] = (folder){ "INBOX", 5, inbox_dup, 3 };
	}
	signal(SIGPIPE, SIG_IGN);
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 8) < 0) {
		perror("hostile-imapd");
		return 1;
	}
	for (;;) {
		s.fd = accept(ls, NULL, NULL);
		if (s.fd < 0)
			continue;
		session(&s);
		close(s.fd);
	}
}
