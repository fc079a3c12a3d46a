/*
 * corpus_main.c - migsh-corpus: a deterministic, seeded generator of test
 * mailboxes as Maildir++ trees that Dovecot serves directly.
 *
 * Same options and seed => byte-identical files (names, contents, mtimes).
 * A user's mail depends only on the seed and the user name, not on the other
 * users in the list.  See usage() for the options and what a tree contains.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "tests/corpus/maildir_out.h"
#include "tests/corpus/msggen.h"
#include "tests/corpus/rng.h"
#include "tests/corpus/textgen.h"

/* Folders: IMAP name (UTF-8, '/' separator) and Maildir++ directory name. */
enum { F_INBOX, F_SENT, F_DRAFTS, F_TRASH, F_ARCHIVE, F_ARCH2019, F_ENTW, F_JUNK, NFOLDERS };
static const char *const folder_imap[NFOLDERS] = {
	"INBOX", "Sent", "Drafts", "Trash", "Archive", "Archive/2019",
	"Entw\xc3\xbc" "rfe", "Junk Email",
};
static const char *const folder_disk[NFOLDERS] = {
	NULL, ".Sent", ".Drafts", ".Trash", ".Archive", ".Archive.2019",
	".Entw&APw-rfe", ".Junk Email",
};
/* Where ordinary messages go, in percent. */
static const unsigned folder_weight[NFOLDERS] = { 50, 15, 4, 6, 5, 10, 4, 6 };

#define T2012 INT64_C(1325376000) /* 2012-01-01 */
#define T2019 INT64_C(1546300800) /* 2019-01-01 */
#define T2020 INT64_C(1577836800) /* 2020-01-01 */
#define T2026 INT64_C(1767225600) /* 2026-01-01 */
#define T2003 INT64_C(1041379200) /* 2003-01-01 */

typedef struct plan_item {
	int folder;
	cg_kind kind;
	size_t size;
	unsigned flags, kw;
	int in_new;
	int64_t date;        /* 0 = assign later */
} plan_item;

typedef struct options {
	uint64_t seed;
	const char *out;
	char **users;
	size_t nusers;
	unsigned long messages;
	size_t big_size;
	unsigned long big_count;
	unsigned long long total_size;
	int traps;
	int nul;
	const char *manifest;
	int quiet;
} options;

static void usage(FILE *f)
{
	fputs("usage: migsh-corpus --out DIR [options]\n"
	      "Writes one Maildir++ tree per user (DIR/USER) that Dovecot serves with\n"
	      "mail_location = maildir:DIR/%u.  Same options => byte-identical output.\n"
	      "\n"
	      "  --seed N          random seed (default 1)\n"
	      "  --out DIR         output directory (required)\n"
	      "  --users LIST      user names, separated by commas or spaces (default user1)\n"
	      "  --messages N      ordinary messages per user (default 30)\n"
	      "  --big-size BYTES  size (IMAP RFC822.SIZE, exact) of the big messages\n"
	      "  --big-count N     number of big messages per user, in INBOX (default 0)\n"
	      "  --total-size B    instead of --messages: add ordinary messages until all\n"
	      "                    users together hold about B bytes (K/M/G suffixes ok)\n"
	      "  --no-traps        leave out the special messages (see below)\n"
	      "  --nul             add a message with NUL bytes to INBOX (Dovecot serves\n"
	      "                    them as 0x80 in BODY[], exactly only in BINARY[])\n"
	      "  --manifest FILE   write one line per message: user, folder, uid, flags,\n"
	      "                    internal date (epoch), size, kind, Message-ID, path\n"
	      "  --quiet           no summary on stdout\n"
	      "\n"
	      "Folders: INBOX, Sent, Drafts, Trash, Archive, Archive/2019, Entw\xc3\xbcrfe\n"
	      "(on disk .Entw&APw-rfe), Junk Email.  Special messages (per user): empty,\n"
	      "header without blank line or body, bare CR, no Message-ID, three with one\n"
	      "Message-ID (two in INBOX, one in Sent), 8-bit body, raw 8-bit header, RFC 2047\n"
	      "headers, CRLF line ends, a 5000-character line, a 3,000,000-byte message, a\n"
	      "message with all custom keywords ($Forwarded Work $Label1 Project-X), a draft,\n"
	      "one with an internal date in 2003 out of UID order.  Dates 2012-2025 (file\n"
	      "mtime = internal date); Archive/2019 holds 2019 mail.\n", f);
}

static int parse_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': v *= 1024ULL; end++; break;
	case 'm': case 'M': v *= 1024ULL * 1024; end++; break;
	case 'g': case 'G': v *= 1024ULL * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static void split_users(options *o, const char *list)
{
	char *copy = xstrdup(list), *save = NULL;
	size_t cap = 0;

	for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		GROW(o->users, cap, o->nusers + 1);
		o->users[o->nusers++] = xstrdup(t);
	}
	free(copy);
}

static int parse_options(options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "users", required_argument, NULL, 'u' },
		{ "messages", required_argument, NULL, 'n' },
		{ "big-size", required_argument, NULL, 'b' },
		{ "big-count", required_argument, NULL, 'c' },
		{ "total-size", required_argument, NULL, 't' },
		{ "no-traps", no_argument, NULL, 'T' },
		{ "nul", no_argument, NULL, 'N' },
		{ "manifest", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int c;

	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->messages = 30;
	o->traps = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': if (parse_size(optarg, &v)) goto bad; o->seed = v; break;
		case 'o': o->out = optarg; break;
		case 'u': split_users(o, optarg); break;
		case 'n': if (parse_size(optarg, &v)) goto bad; o->messages = (unsigned long)v; break;
		case 'b': if (parse_size(optarg, &v)) goto bad; o->big_size = (size_t)v; break;
		case 'c': if (parse_size(optarg, &v)) goto bad; o->big_count = (unsigned long)v; break;
		case 't': if (parse_size(optarg, &v)) goto bad; o->total_size = v; break;
		case 'T': o->traps = 0; break;
		case 'N': o->nul = 1; break;
		case 'm': o->manifest = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc || !o->out) {
		fprintf(stderr, "migsh-corpus: %s\n", optind < argc ? "unexpected argument" :
		        "--out DIR is required");
		usage(stderr);
		return -1;
	}
	if (o->big_count && o->big_size < 8192) {
		fprintf(stderr, "migsh-corpus: --big-size must be at least 8192 bytes\n");
		return -1;
	}
	if (!o->nusers)
		split_users(o, "user1");
	return 0;
bad:
	fprintf(stderr, "migsh-corpus: bad number '%s' (digits, optional K/M/G)\n", optarg);
	return -1;
}

static void add_item(plan_item **p, size_t *n, size_t *cap, int folder, cg_kind kind,
                     size_t size, unsigned flags, unsigned kw)
{
	GROW(*p, *cap, *n + 1);
	(*p)[*n] = (plan_item){ folder, kind, size, flags, kw, 0, 0 };
	(*n)++;
}

static int pick_folder(cg_rng *r)
{
	uint64_t x = cg_rng_below(r, 100);

	for (int f = 0; f < NFOLDERS; f++) {
		if (x < folder_weight[f])
			return f;
		x -= folder_weight[f];
	}
	return F_INBOX;
}

static unsigned pick_flags(cg_rng *r, int folder, unsigned *kw)
{
	unsigned fl = 0;

	*kw = 0;
	switch (folder) {
	case F_DRAFTS:
	case F_ENTW:
		fl = CG_F_DRAFT | (cg_rng_chance(r, 50) ? CG_F_SEEN : 0);
		break;
	case F_SENT:
	case F_TRASH:
		fl = CG_F_SEEN | (cg_rng_chance(r, 5) ? CG_F_FLAGGED : 0);
		break;
	case F_JUNK:
		fl = cg_rng_chance(r, 50) ? CG_F_SEEN : 0;
		break;
	default:
		if (cg_rng_chance(r, 80))
			fl |= CG_F_SEEN;
		if ((fl & CG_F_SEEN) && cg_rng_chance(r, 18))
			fl |= CG_F_ANSWERED;
		if (cg_rng_chance(r, 8))
			fl |= CG_F_FLAGGED;
		if (cg_rng_chance(r, 10))
			*kw = 1u << cg_rng_below(r, CG_NKEYWORDS);
		if (cg_rng_chance(r, 3))
			*kw |= 1u << cg_rng_below(r, CG_NKEYWORDS);
		break;
	}
	return fl;
}

/* An ordinary message: size class picked to give a median near 10 KB with
 * a tail of 1-5 MB attachments.  Returns its approximate IMAP size. */
static size_t add_ordinary(plan_item **p, size_t *n, size_t *cap, cg_rng *r)
{
	uint64_t c = cg_rng_below(r, 100);
	int folder = pick_folder(r);
	unsigned kw, fl = pick_flags(r, folder, &kw);
	cg_kind kind = CG_PLAIN;
	size_t size;

	if (c < 50) {
		size = (size_t)cg_rng_range(r, 1000, 8000);
	} else if (c < 82) {
		size = (size_t)cg_rng_range(r, 8000, 40000);
	} else if (c < 97) {
		kind = CG_MULTIPART;
		size = (size_t)cg_rng_range(r, 10000, 300000);
	} else {
		kind = CG_MULTIPART;
		size = (size_t)cg_rng_range(r, 700000, 3600000);
	}
	add_item(p, n, cap, folder, kind, size, fl, kw);
	return kind == CG_MULTIPART ? size * 137 / 100 + 2500 : size;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Sorted random dates in [lo, hi) for the items of one folder group. */
static void assign_dates(plan_item *p, size_t n, cg_rng *r, int only_folder, int skip_folder,
                         int64_t lo, int64_t hi)
{
	int64_t *d = xcalloc(n ? n : 1, sizeof *d);
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if ((only_folder < 0 || p[i].folder == only_folder) && p[i].folder != skip_folder &&
		    !p[i].date)
			d[k++] = lo + (int64_t)cg_rng_below(r, (uint64_t)(hi - lo));
	qsort(d, k, sizeof *d, cmp_i64);
	k = 0;
	for (size_t i = 0; i < n; i++)
		if ((only_folder < 0 || p[i].folder == only_folder) && p[i].folder != skip_folder &&
		    !p[i].date)
			p[i].date = d[k++];
	free(d);
}

static plan_item *make_plan(const options *o, cg_rng *r, size_t *np)
{
	plan_item *p = NULL;
	size_t n = 0, cap = 0;

	if (o->traps) {
		static const cg_kind inbox_traps[] = {
			CG_EMPTY, CG_HEADER_ONLY, CG_BARE_CR, CG_NO_MSGID, CG_DUP_MSGID, CG_DUP_MSGID,
			CG_8BIT_BODY, CG_8BIT_HEADER, CG_RFC2047, CG_CRLF, CG_LONG_LINE,
		};
		for (size_t i = 0; i < sizeof inbox_traps / sizeof inbox_traps[0]; i++)
			add_item(&p, &n, &cap, F_INBOX, inbox_traps[i], 0, CG_F_SEEN, 0);
		add_item(&p, &n, &cap, F_INBOX, CG_MULTIPART, 50000, CG_F_SEEN | CG_F_ANSWERED, 0);
		add_item(&p, &n, &cap, F_INBOX, CG_PLAIN, 3000, CG_F_SEEN | CG_F_FLAGGED,
		         (1u << CG_NKEYWORDS) - 1);
		add_item(&p, &n, &cap, F_INBOX, CG_EXACT, 3000000, CG_F_SEEN, 0);
		add_item(&p, &n, &cap, F_SENT, CG_DUP_MSGID, 0, CG_F_SEEN, 0);
		add_item(&p, &n, &cap, F_SENT, CG_RFC2047, 0, CG_F_SEEN, 0);
		add_item(&p, &n, &cap, F_DRAFTS, CG_PLAIN, 2000, CG_F_DRAFT, 0);
		add_item(&p, &n, &cap, F_ENTW, CG_8BIT_BODY, 0, CG_F_DRAFT | CG_F_SEEN, 0);
		add_item(&p, &n, &cap, F_ARCH2019, CG_MULTIPART, 20000, CG_F_SEEN, 0);
	}
	if (o->nul)
		add_item(&p, &n, &cap, F_INBOX, CG_NUL, 0, CG_F_SEEN, 0);
	for (unsigned long i = 0; i < o->big_count; i++)
		add_item(&p, &n, &cap, F_INBOX, CG_EXACT, o->big_size, CG_F_SEEN, 0);
	if (o->total_size) {
		unsigned long long share = o->total_size / o->nusers, sum = 0;
		for (size_t i = 0; i < n; i++)      /* special and big messages count too */
			sum += p[i].kind == CG_MULTIPART ? p[i].size * 137 / 100 + 2500 :
			       p[i].size ? p[i].size : 1000;
		while (sum < share)
			sum += add_ordinary(&p, &n, &cap, r);
	} else {
		for (unsigned long i = 0; i < o->messages; i++)
			add_ordinary(&p, &n, &cap, r);
	}
	/* Shuffle so special messages sit among ordinary ones, then give every
	 * folder ascending dates in UID order (Archive/2019: dates in 2019). */
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)cg_rng_below(r, i);
		plan_item t = p[i - 1];
		p[i - 1] = p[j];
		p[j] = t;
	}
	assign_dates(p, n, r, F_ARCH2019, -1, T2019, T2020);
	assign_dates(p, n, r, -1, F_ARCH2019, T2012, T2026);
	if (o->traps) {
		/* one INBOX message arrived "in 2003", out of UID order; the two
		 * newest INBOX messages are unread in new/ */
		int done_old = 0, newcount = 0;
		for (size_t i = 0; i < n && !done_old; i++)
			if (p[i].folder == F_INBOX && p[i].kind == CG_PLAIN && i > n / 2) {
				p[i].date = T2003 + (int64_t)cg_rng_below(r, 86400 * 365);
				done_old = 1;
			}
		for (size_t i = n; i-- > 0 && newcount < 2;)
			if (p[i].folder == F_INBOX && p[i].kind == CG_PLAIN && !p[i].kw) {
				p[i].in_new = 1;
				p[i].flags = 0;
				newcount++;
			}
	}
	*np = n;
	return p;
}

static int write_user(const options *o, const char *user, FILE *manifest, mg_err *err)
{
	uint64_t uh = cg_hash(user);
	cg_rng r;
	plan_item *p;
	size_t n;
	cg_folder folders[NFOLDERS];
	cg_msg m = { STRBUF_INIT, "" };
	unsigned long long bytes = 0;
	char *root = mg_path_join(o->out, user);
	int rc = 0, opened = 0;

	cg_rng_seed(&r, o->seed * 0x9e3779b97f4a7c15ULL ^ uh);
	p = make_plan(o, &r, &n);
	for (int f = 0; f < NFOLDERS && rc == 0; f++) {
		char *dir = folder_disk[f] ? mg_path_join(root, folder_disk[f]) : xstrdup(root);
		uint32_t uidv = 1000000000u + (uint32_t)((o->seed * 7919u + uh + (uint64_t)f * 104729u) % 700000000u);
		rc = cg_folder_open(&folders[f], dir, f == F_INBOX, uidv, err);
		free(dir);
		opened = f + 1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		unsigned uid;
		char *rel = NULL;

		cg_build(&m, &r, p[i].kind, p[i].size, user, uh, (unsigned)i + 1, p[i].date);
		rc = cg_folder_add(&folders[p[i].folder], m.data.buf ? m.data.buf : "", m.data.len,
		                   p[i].date, p[i].flags, p[i].kw, p[i].in_new, (unsigned)i + 1,
		                   (unsigned)(uh % 100000u), &uid, &rel, err);
		if (rc == 0 && manifest) {
			char *fl = cg_flags_imap(p[i].flags, p[i].kw, p[i].in_new);
			fprintf(manifest, "%s\t%s\t%u\t%s\t%lld\t%zu\t%s\t%s\t%s/%s\n", user,
			        folder_imap[p[i].folder], uid, fl, (long long)p[i].date,
			        cg_vsize(m.data.buf ? m.data.buf : "", m.data.len),
			        cg_kind_name(p[i].kind), m.msgid[0] ? m.msgid : "-",
			        folder_disk[p[i].folder] ? folder_disk[p[i].folder] : ".", rel);
			free(fl);
		}
		bytes += m.data.len;
		free(rel);
	}
	for (int f = 0; f < opened; f++)
		if (cg_folder_close(&folders[f], uh ^ o->seed ^ (uint64_t)f, rc ? NULL : err) != 0)
			rc = -1;
	if (rc == 0 && !o->quiet)
		printf("%s: %zu messages in %d folders, %llu bytes\n", user, n, NFOLDERS, bytes);
	strbuf_free(&m.data);
	free(p);
	free(root);
	return rc;
}

int main(int argc, char **argv)
{
	options o;
	mg_err err = { 0 };
	FILE *manifest = NULL;
	int rc = 0;

	if (parse_options(&o, argc, argv) != 0)
		return 2;
	if (mg_mkdir_p(o.out, 0755, &err) != 0) {
		fprintf(stderr, "migsh-corpus: %s\n", err.msg);
		return 1;
	}
	if (o.manifest) {
		manifest = fopen(o.manifest, "w");
		if (!manifest) {
			perror(o.manifest);
			return 1;
		}
		fputs("#user\tfolder\tuid\tflags\tinternaldate\tsize\tkind\tmessage-id\tpath\n", manifest);
	}
	for (size_t i = 0; i < o.nusers && rc == 0; i++)
		if (write_user(&o, o.users[i], manifest, &err) != 0) {
			fprintf(stderr, "migsh-corpus: user %s: %s\n", o.users[i], err.msg);
			rc = 1;
		}
	if (manifest && fclose(manifest) != 0) {
		perror(o.manifest);
		rc = 1;
	}
	for (size_t i = 0; i < o.nusers; i++)
		free(o.users[i]);
	free(o.users);
	return rc;
}
