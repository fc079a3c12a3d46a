/*
 * sync_journal.c - append-only per-folder sync journal with replay,
 * torn-tail recovery and compaction (format in sync_journal.h).
 */
#include "config.h"
#include "engine/sync_journal.h"
#include "common/fileio.h"
#include "common/str.h"

#include <errno.h>
#ifdef MG_JOURNAL_STEP_HOOK
#include <signal.h>
#endif
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_JOURNAL_BYTES (2048u << 20)

/* ---------------------------------------------------------- flags ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *mg_flags_normalize(const char *const *flags, size_t n)
{
	const char **v = xcalloc(n ? n : 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!flags[i] || !*flags[i] || str_ieq(flags[i], "\\Recent"))
			continue;
		if (strpbrk(flags[i], " \t\r\n"))
			continue;
		v[k++] = flags[i];
	}
	qsort(v, k, sizeof *v, cmp_str);
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (size_t i = 0; i < k; i++) {
		if (i && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (sb.len)
			strbuf_addc(&sb, ' ');
		strbuf_adds(&sb, v[i]);
	}
	free(v);
	return strbuf_detach(&sb, NULL);
}

size_t mg_flags_split(const char *s, char **store, const char ***out)
{
	*store = xstrdup(s ? s : "");
	size_t n = 0, cap = 0;
	const char **v = NULL;
	char *save = NULL;
	for (char *tok = strtok_r(*store, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		GROW(v, cap, n + 1);
		v[n++] = tok;
	}
	*out = v;
	return n;
}

/* ---------------------------------------------------------- state ---- */

static void jmsg_free(mg_jmsg *m)
{
	free(m->flags);
	free(m->dest);
}

static size_t find_pos(const mg_journal *j, uint32_t uid, bool *found)
{
	size_t lo = 0, hi = j->n_msgs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (j->msgs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < j->n_msgs && j->msgs[lo].uid == uid;
	return lo;
}

mg_jmsg *mg_journal_find(mg_journal *j, uint32_t uid)
{
	bool found;
	size_t i = find_pos(j, uid, &found);
	return found ? &j->msgs[i] : NULL;
}

static void st_add(mg_journal *j, uint32_t uid, long long size, int64_t date,
                   const char *flags, const char *dest)
{
	bool found;
	size_t i = find_pos(j, uid, &found);
	if (found) {
		jmsg_free(&j->msgs[i]);
	} else {
		GROW(j->msgs, j->cap_msgs, j->n_msgs + 1);
		memmove(&j->msgs[i + 1], &j->msgs[i], (j->n_msgs - i) * sizeof *j->msgs);
		j->n_msgs++;
	}
	j->msgs[i] = (mg_jmsg){ uid, size, date, xstrdup(flags), xstrdup(dest) };
	/* an intent for this uid is resolved */
	for (size_t k = 0; k < j->n_intents; k++)
		if (j->intents[k].uid == uid) {
			j->intents[k] = j->intents[--j->n_intents];
			break;
		}
}

static void st_orphan(mg_journal *j, long long size, int64_t date, const char *flags, const char *dest)
{
	GROW(j->orphans, j->cap_orphans, j->n_orphans + 1);
	j->orphans[j->n_orphans++] = (mg_jmsg){ 0, size, date, xstrdup(flags), xstrdup(dest) };
}

static void st_uidvalidity(mg_journal *j, uint32_t v)
{
	if (j->uidvalidity && v != j->uidvalidity) {
		for (size_t i = 0; i < j->n_msgs; i++) {
			GROW(j->orphans, j->cap_orphans, j->n_orphans + 1);
			j->orphans[j->n_orphans++] = j->msgs[i];
			j->orphans[j->n_orphans - 1].uid = 0;
		}
		j->n_msgs = 0;
		j->uidnext = 0;
		j->modseq = 0;
		j->n_intents = 0;
	}
	j->uidvalidity = v;
}

static void st_intent(mg_journal *j, uint32_t uid, long long size, int64_t date, const char *hash)
{
	GROW(j->intents, j->cap_intents, j->n_intents + 1);
	mg_jintent *t = &j->intents[j->n_intents++];
	memset(t, 0, sizeof *t);
	t->uid = uid;
	t->size = size;
	t->date = date;
	snprintf(t->hash, sizeof t->hash, "%s", hash);
}

static void st_watch(mg_journal *j, long long size, const char *hash, uint32_t mark, int64_t since)
{
	for (size_t i = 0; i < j->n_watches; i++) {
		mg_jwatch *w = &j->watches[i];
		if (w->size == size && strcmp(w->hash, hash) == 0) {
			if (mark < w->mark)
				w->mark = mark;
			if (since > w->since)
				w->since = since;
			return;
		}
	}
	GROW(j->watches, j->cap_watches, j->n_watches + 1);
	mg_jwatch *w = &j->watches[j->n_watches++];
	memset(w, 0, sizeof *w);
	w->size = size;
	snprintf(w->hash, sizeof w->hash, "%s", hash);
	w->mark = mark;
	w->since = since;
}

/* Remove orphans whose dest is mapped again by an M record. */
static int cmp_dest(const void *a, const void *b)
{
	return strcmp(((const mg_jmsg *)a)->dest, ((const mg_jmsg *)b)->dest);
}

static void prune_orphans(mg_journal *j)
{
	if (!j->n_orphans || !j->n_msgs)
		return;
	mg_jmsg *sorted = xmalloc((j->n_msgs ? j->n_msgs : 1) * sizeof *sorted);
	memcpy(sorted, j->msgs, j->n_msgs * sizeof *sorted);
	qsort(sorted, j->n_msgs, sizeof *sorted, cmp_dest);
	size_t k = 0;
	for (size_t i = 0; i < j->n_orphans; i++) {
		if (j->n_msgs && bsearch(&j->orphans[i], sorted, j->n_msgs, sizeof *sorted, cmp_dest)) {
			jmsg_free(&j->orphans[i]);
			continue;
		}
		j->orphans[k++] = j->orphans[i];
	}
	j->n_orphans = k;
	free(sorted);
}

/* ---------------------------------------------------------- records -- */

static char *hex_encode(const char *s)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		strbuf_addf(&sb, "%02x", *u);
	return strbuf_detach(&sb, NULL);
}

static char *hex_decode(const char *s)
{
	size_t n = strlen(s) / 2;
	char *o = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			v = '?';
		o[i] = (char)v;
	}
	o[n] = '\0';
	return o;
}

/* drop the mapping of uid (its copy was removed at the destination) */
static void st_forget(mg_journal *j, uint32_t uid)
{
	mg_jmsg *m = mg_journal_find(j, uid);
	if (!m)
		return;
	size_t i = (size_t)(m - j->msgs);
	free(m->flags);
	free(m->dest);
	memmove(m, m + 1, (j->n_msgs - i - 1) * sizeof *m);
	j->n_msgs--;
}

static void emit(mg_journal *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(mg_journal *j, const char *fmt, ...)
{
	size_t start = j->pending.len;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&j->pending, fmt, ap);
	va_end(ap);
	uLong crc = crc32(0L, (const Bytef *)j->pending.buf + start, (uInt)(j->pending.len - start));
	strbuf_addf(&j->pending, "\t%08lx\n", (unsigned long)crc);
	j->records++;
}

static const char *fl_out(const char *flags) { return flags && *flags ? flags : "-"; }
static const char *fl_in(const char *s) { return strcmp(s, "-") == 0 ? "" : s; }

/* Apply one verified record (fields split on tabs, f[0] = type). */
static int apply(mg_journal *j, char **f, size_t nf)
{
	unsigned long long a, b;
	long long sz, dt;
	char t = f[0][0];
	if (f[0][1])
		return -1;
	switch (t) {
	case 'J':
		if (nf != 2 || sscanf(f[1], "%llu", &a) != 1 || a < 1) return -1;
		return a > MG_JOURNAL_VERSION ? -1 : 0;
	case 'N':
		if (nf != 2) return -1;
		free(j->folder);
		j->folder = hex_decode(f[1]);
		return 0;
	case 'V':
		if (nf != 2 || sscanf(f[1], "%llu", &a) != 1) return -1;
		st_uidvalidity(j, (uint32_t)a);
		return 0;
	case 'M':
		if (nf != 6 || sscanf(f[1], "%llu", &a) != 1 || sscanf(f[2], "%lld", &sz) != 1 ||
		    sscanf(f[3], "%lld", &dt) != 1)
			return -1;
		st_add(j, (uint32_t)a, sz, dt, fl_in(f[4]), f[5]);
		return 0;
	case 'F': {
		if (nf != 3 || sscanf(f[1], "%llu", &a) != 1) return -1;
		mg_jmsg *m = mg_journal_find(j, (uint32_t)a);
		if (m) {
			free(m->flags);
			m->flags = xstrdup(fl_in(f[2]));
		}
		return 0;
	}
	case 'O':
		if (nf != 5 || sscanf(f[1], "%lld", &sz) != 1 || sscanf(f[2], "%lld", &dt) != 1)
			return -1;
		st_orphan(j, sz, dt, fl_in(f[3]), f[4]);
		return 0;
	case 'S':
		if (nf != 3 || sscanf(f[1], "%llu", &a) != 1 || sscanf(f[2], "%llu", &b) != 1) return -1;
		j->uidnext = (uint32_t)a;
		j->modseq = b;
		return 0;
	case 'D':
		if (nf != 2 || sscanf(f[1], "%llu", &a) != 1) return -1;
		j->dst_uidvalidity = (uint32_t)a;
		return 0;
	case 'P':
		if (nf != 2 || sscanf(f[1], "%llu", &a) != 1) return -1;
		j->dst_mark = (uint32_t)a;
		return 0;
	case 'I':
		if (nf != 5 || sscanf(f[1], "%llu", &a) != 1 || sscanf(f[2], "%lld", &sz) != 1 ||
		    sscanf(f[3], "%lld", &dt) != 1)
			return -1;
		st_intent(j, (uint32_t)a, sz, dt, f[4]);
		return 0;
	case 'Z':
		j->n_intents = 0;
		j->dst_mark = 0;
		return 0;
	case 'W':
		if (nf != 5 || sscanf(f[1], "%lld", &sz) != 1 || sscanf(f[3], "%llu", &a) != 1 ||
		    sscanf(f[4], "%lld", &dt) != 1)
			return -1;
		st_watch(j, sz, f[2], (uint32_t)a, dt);
		return 0;
	case 'Y':
		j->n_watches = 0;
		return 0;
	case 'X':
		if (nf != 2 || sscanf(f[1], "%llu", &a) != 1) return -1;
		st_forget(j, (uint32_t)a);
		return 0;
	default:
		return -1;
	}
}

/* Replay whole records; returns the length of the valid prefix.  A record
 * whose CRC is right but which cannot be applied sets *bad to its number. */
static size_t replay(mg_journal *j, char *data, size_t len, size_t *bad)
{
	size_t good = 0;
	*bad = 0;
	char *line = data;
	while ((size_t)(line - data) < len) {
		char *nl = memchr(line, '\n', len - (size_t)(line - data));
		if (!nl)
			break;                          /* torn last record */
		*nl = '\0';
		char *tab = strrchr(line, '\t');
		if (!tab)
			break;
		unsigned long crc_rec;
		if (sscanf(tab + 1, "%8lx", &crc_rec) != 1 || strlen(tab + 1) != 8)
			break;
		uLong crc = crc32(0L, (const Bytef *)line, (uInt)(tab - line));
		if (crc != crc_rec)
			break;
		*tab = '\0';
		char *f[8];
		size_t nf = 0;
		for (char *p = line; nf < 8;) {
			f[nf++] = p;
			char *t = strchr(p, '\t');
			if (!t)
				break;
			*t = '\0';
			p = t + 1;
		}
		if (apply(j, f, nf) < 0) {
			*bad = j->records + 1;
			break;
		}
		j->records++;
		line = nl + 1;
		good = (size_t)(line - data);
	}
	return good;
}

int mg_journal_open(const char *path, mg_journal **out, mg_err *err)
{
	mg_journal *j = xcalloc(1, sizeof *j);
	j->path = xstrdup(path);
	j->fd = -1;
	char *data = NULL;
	size_t len = 0;
	if (access(path, F_OK) == 0) {
		if (mg_read_file(path, MAX_JOURNAL_BYTES, &data, &len, err) < 0) {
			mg_journal_close(j);
			return -1;
		}
		size_t bad;
		size_t good = replay(j, data, len, &bad);
		free(data);
		if (bad) {
			mg_err_set(err, MGC_INVALIDDATA, "JournalVersion",
			           "record %zu of the sync journal '%s' is complete but not understood: "
			           "the journal was written by a newer migsh (this one reads journal "
			           "version %d). Run the newer migsh, or remove the user's sync state "
			           "and copy into an empty destination.", bad, path, MG_JOURNAL_VERSION);
			mg_journal_close(j);
			return -1;
		}
		prune_orphans(j);
		if (good < len) {
			j->dropped_bytes = len - good;
			if (truncate(path, (off_t)good) < 0) {
				mg_err_sys(err, MGC_WRITE, "JournalRepair", "cannot cut the torn end off '%s'", path);
				mg_journal_close(j);
				return -1;
			}
		}
	}
	j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		mg_err_sys(err, MGC_WRITE, "JournalOpen", "cannot open sync journal '%s'", path);
		mg_journal_close(j);
		return -1;
	}
	if (!j->records)                       /* a new (or wholly torn) journal */
		emit(j, "J\t%d", MG_JOURNAL_VERSION);
	*out = j;
	return 0;
}

void mg_journal_close(mg_journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	for (size_t i = 0; i < j->n_msgs; i++)
		jmsg_free(&j->msgs[i]);
	for (size_t i = 0; i < j->n_orphans; i++)
		jmsg_free(&j->orphans[i]);
	free(j->msgs);
	free(j->orphans);
	free(j->intents);
	free(j->watches);
	free(j->folder);
	free(j->path);
	strbuf_free(&j->pending);
	free(j);
}

/* ---------------------------------------------------------- mutators - */

void mg_journal_set_folder(mg_journal *j, const char *name)
{
	if (j->folder && strcmp(j->folder, name) == 0)
		return;
	free(j->folder);
	j->folder = xstrdup(name);
	char *h = hex_encode(name);
	emit(j, "N\t%s", h);
	free(h);
}

void mg_journal_set_uidvalidity(mg_journal *j, uint32_t v)
{
	if (j->uidvalidity == v)
		return;
	st_uidvalidity(j, v);
	emit(j, "V\t%" PRIu32, v);
}

void mg_journal_add(mg_journal *j, uint32_t uid, long long size, int64_t date,
                    const char *flags, const char *dest)
{
	st_add(j, uid, size, date, flags ? flags : "", dest);
	emit(j, "M\t%" PRIu32 "\t%lld\t%" PRId64 "\t%s\t%s", uid, size, date, fl_out(flags), dest);
}

void mg_journal_set_flags(mg_journal *j, uint32_t uid, const char *flags)
{
	mg_jmsg *m = mg_journal_find(j, uid);
	if (!m)
		return;
	free(m->flags);
	m->flags = xstrdup(flags ? flags : "");
	emit(j, "F\t%" PRIu32 "\t%s", uid, fl_out(flags));
}

void mg_journal_forget(mg_journal *j, uint32_t uid)
{
	if (!mg_journal_find(j, uid))
		return;
	st_forget(j, uid);
	emit(j, "X\t%" PRIu32, uid);
}

void mg_journal_pass_done(mg_journal *j, uint32_t uidnext, uint64_t modseq)
{
	j->uidnext = uidnext;
	j->modseq = modseq;
	emit(j, "S\t%" PRIu32 "\t%" PRIu64, uidnext, modseq);
}

void mg_journal_set_dst_uidvalidity(mg_journal *j, uint32_t v)
{
	if (j->dst_uidvalidity == v)
		return;
	j->dst_uidvalidity = v;
	emit(j, "D\t%" PRIu32, v);
}

void mg_journal_mark(mg_journal *j, uint32_t dst_uidnext)
{
	j->dst_mark = dst_uidnext;
	emit(j, "P\t%" PRIu32, dst_uidnext);
}

void mg_journal_intent(mg_journal *j, uint32_t uid, long long size, int64_t date, const char *hash)
{
	st_intent(j, uid, size, date, hash);
	emit(j, "I\t%" PRIu32 "\t%lld\t%" PRId64 "\t%s", uid, size, date, hash);
}

void mg_journal_clear_intents(mg_journal *j)
{
	if (!j->n_intents && !j->dst_mark)
		return;
	j->n_intents = 0;
	j->dst_mark = 0;
	emit(j, "Z");
}

static void emit_watch(mg_journal *j, const mg_jwatch *w)
{
	emit(j, "W\t%lld\t%s\t%" PRIu32 "\t%" PRId64, w->size, w->hash, w->mark, w->since);
}

void mg_journal_watch(mg_journal *j, long long size, const char *hash, uint32_t mark, int64_t since)
{
	st_watch(j, size, hash, mark, since);
	mg_jwatch w = { .size = size, .mark = mark, .since = since };
	snprintf(w.hash, sizeof w.hash, "%s", hash);
	emit_watch(j, &w);
}

void mg_journal_retire_watches(mg_journal *j, bool (*keep)(void *arg, const mg_jwatch *w), void *arg)
{
	size_t k = 0;
	for (size_t i = 0; i < j->n_watches; i++)
		if (keep(arg, &j->watches[i]))
			j->watches[k++] = j->watches[i];
	if (k == j->n_watches)
		return;
	j->n_watches = k;
	emit(j, "Y");
	for (size_t i = 0; i < k; i++)
		emit_watch(j, &j->watches[i]);
}

void mg_journal_orphan_used(mg_journal *j, size_t i)
{
	if (i >= j->n_orphans)
		return;
	jmsg_free(&j->orphans[i]);
	j->orphans[i] = j->orphans[--j->n_orphans];
}

#ifdef MG_JOURNAL_STEP_HOOK
/* The test build's step limit (see sync_journal.h): how many bytes of buf
 * (whole records, plus half of the next one when MIGSH_TEST_JOURNAL_TORN=1)
 * may still be written; *die is set when the limit falls inside buf.  The
 * count is per process, over every journal, like the steps of a real run. */
static size_t step_hook_cut(const char *buf, size_t len, bool *die)
{
	static long limit = -2, done;
	if (limit == -2) {
		const char *e = getenv("MIGSH_TEST_JOURNAL_STEPS");
		limit = e && *e ? atol(e) : -1;
	}
	*die = false;
	if (limit < 0)
		return len;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (++done == limit) {
			*die = true;
			size_t cut = i + 1;
			const char *torn = getenv("MIGSH_TEST_JOURNAL_TORN");
			if (torn && *torn == '1' && cut < len) {
				const char *nl = memchr(buf + cut, '\n', len - cut);
				cut += (size_t)((nl ? (size_t)(nl - buf) : len) - cut) / 2;
			}
			return cut;
		}
	}
	return len;
}
#endif

int mg_journal_flush(mg_journal *j, mg_err *err)
{
	if (!j->pending.len)
		return 0;
	const char *p = j->pending.buf;
	size_t len = j->pending.len;
#ifdef MG_JOURNAL_STEP_HOOK
	bool die;
	len = step_hook_cut(p, len, &die);
#endif
	while (len) {
		ssize_t n = write(j->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mg_err_sys(err, MGC_WRITE, "JournalWrite", "cannot write sync journal '%s'", j->path);
		}
		p += n;
		len -= (size_t)n;
	}
	if (fdatasync(j->fd) < 0)
		return mg_err_sys(err, MGC_WRITE, "JournalWrite", "cannot sync journal '%s'", j->path);
#ifdef MG_JOURNAL_STEP_HOOK
	if (die)
		raise(SIGKILL);
#endif
	strbuf_reset(&j->pending);
	return 0;
}

int mg_journal_compact(mg_journal *j, bool force, mg_err *err)
{
	if (mg_journal_flush(j, err) < 0)
		return -1;
	size_t live = j->n_msgs + j->n_orphans + j->n_intents + j->n_watches + 8;
	if (!force && j->records < 2 * live + 1000)
		return 0;
	strbuf saved = j->pending;
	memset(&j->pending, 0, sizeof j->pending);
	size_t records = j->records;
	j->records = 0;
	emit(j, "J\t%d", MG_JOURNAL_VERSION);
	if (j->folder) {
		char *h = hex_encode(j->folder);
		emit(j, "N\t%s", h);
		free(h);
	}
	for (size_t i = 0; i < j->n_orphans; i++) {
		mg_jmsg *o = &j->orphans[i];
		emit(j, "O\t%lld\t%" PRId64 "\t%s\t%s", o->size, o->date, fl_out(o->flags), o->dest);
	}
	if (j->uidvalidity)
		emit(j, "V\t%" PRIu32, j->uidvalidity);
	if (j->dst_uidvalidity)
		emit(j, "D\t%" PRIu32, j->dst_uidvalidity);
	for (size_t i = 0; i < j->n_msgs; i++) {
		mg_jmsg *m = &j->msgs[i];
		emit(j, "M\t%" PRIu32 "\t%lld\t%" PRId64 "\t%s\t%s", m->uid, m->size, m->date,
		     fl_out(m->flags), m->dest);
	}
	if (j->uidnext || j->modseq)
		emit(j, "S\t%" PRIu32 "\t%" PRIu64, j->uidnext, j->modseq);
	if (j->dst_mark)
		emit(j, "P\t%" PRIu32, j->dst_mark);
	for (size_t i = 0; i < j->n_intents; i++) {
		mg_jintent *t = &j->intents[i];
		emit(j, "I\t%" PRIu32 "\t%lld\t%" PRId64 "\t%s", t->uid, t->size, t->date, t->hash);
	}
	for (size_t i = 0; i < j->n_watches; i++)
		emit_watch(j, &j->watches[i]);
	int rc = mg_write_atomic(j->path, j->pending.buf ? j->pending.buf : "", j->pending.len, 0600, err);
	strbuf_free(&j->pending);
	j->pending = saved;
	if (rc < 0) {
		j->records = records;
		return -1;
	}
	close(j->fd);
	j->fd = open(j->path, O_WRONLY | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd < 0)
		return mg_err_sys(err, MGC_WRITE, "JournalOpen", "cannot reopen sync journal '%s'", j->path);
	return 0;
}
