/*
 * maildir_store.c - Maildir++ destination in Dovecot's layout (see
 * maildir_store.h for the layout and the idempotency rule).
 */
#include "config.h"
#include "engine/maildir_store.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"
#include "net/mutf7.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct mg_maildir {
	char *root;
};

/* base name -> relative path ("cur/..."), open addressing */
typedef struct md_slot { char *base; char *rel; } md_slot;

struct mg_mdfolder {
	mg_maildir *md;
	char *dir;
	int   dirfd;
	md_slot *slots;
	size_t cap, used;
	char *kw[26];        /* dovecot-keywords: index -> name */
	bool  dirty;         /* something was written since the last sync */
	/* keywords that did not fit (reported by the sync, see maildir_store.h) */
	long long kw_lost_msgs;
	char *kw_lost[MG_MD_LOST_NAMES];
	size_t n_kw_lost;
	bool  kw_lost_more;  /* more distinct keywords were lost than kw_lost holds */
};

static uint64_t fnv64(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* ------------------------------------------------------------ root ---- */

static int mkdir_0700(const char *path, mg_err *err)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return mg_err_sys(err, MGC_WRITE, "MaildirCreate", "cannot create directory '%s'", path);
}

static int make_maildir(const char *dir, mg_err *err)
{
	static const char *const sub[] = { "cur", "new", "tmp" };
	if (mg_mkdir_p(dir, 0700, err) < 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		char *p = mg_path_join(dir, sub[i]);
		int rc = mkdir_0700(p, err);
		free(p);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int mg_maildir_open(const char *root, mg_maildir **out, mg_err *err)
{
	if (make_maildir(root, err) < 0)
		return -1;
	mg_maildir *md = xcalloc(1, sizeof *md);
	md->root = xstrdup(root);
	*out = md;
	return 0;
}

void mg_maildir_close(mg_maildir *md)
{
	if (!md)
		return;
	free(md->root);
	free(md);
}

const char *mg_maildir_root(const mg_maildir *md) { return md->root; }

int mg_maildir_dirname(char *const *comps, size_t n, char **out, mg_err *err)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (size_t i = 0; i < n; i++) {
		const char *c = comps[i];
		bool bad = !*c || strchr(c, '.') || strchr(c, '/') || strcmp(c, "..") == 0;
		for (const unsigned char *u = (const unsigned char *)c; *u && !bad; u++)
			bad = *u < 0x20 || *u == 0x7f;
		if (bad) {
			strbuf_free(&sb);
			return mg_err_set(err, MGC_INVALIDARG, "FolderNameInvalid",
			                  "folder name level '%s' cannot be stored in Maildir++ "
			                  "(empty, or contains '.', '/' or control characters)", c);
		}
		char *enc;
		if (mg_mutf7_encode(c, &enc, err) < 0) {
			strbuf_free(&sb);
			return -1;
		}
		strbuf_addc(&sb, '.');
		strbuf_adds(&sb, enc);
		free(enc);
	}
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

int mg_maildir_rename_folder(mg_maildir *md, char *const *from, size_t nf, char *const *to, size_t nt,
                             mg_err *err)
{
	if (nf == 0 || nt == 0)
		return mg_err_set(err, MGC_INVALIDARG, "RenameInbox", "INBOX cannot be renamed");
	char *a = NULL, *b = NULL, *pa = NULL, *pb = NULL;
	int rc = -1;
	if (mg_maildir_dirname(from, nf, &a, err) < 0 || mg_maildir_dirname(to, nt, &b, err) < 0)
		goto out;
	pa = mg_path_join(md->root, a);
	pb = mg_path_join(md->root, b);
	if (access(pb, F_OK) == 0) {
		rc = mg_err_set(err, MGC_INVALIDOP, "RenameTargetExists",
		                "cannot rename folder '%s' to '%s': '%s' exists", pa, pb, pb);
		goto out;
	}
	if (rename(pa, pb) < 0) {
		rc = mg_err_sys(err, errno == ENOENT ? MGC_NOTFOUND : MGC_WRITE, "RenameFolder",
		                "cannot rename folder '%s' to '%s'", pa, pb);
		goto out;
	}
	rc = mg_fsync_dir(md->root, err);
out:
	free(a);
	free(b);
	free(pa);
	free(pb);
	return rc;
}

/* Dovecot's tab escaping of one name level (str_append_tabescaped). */
static void add_tabescaped(strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\001': strbuf_adds(sb, "\0011"); break;
		case '\t': strbuf_adds(sb, "\001t"); break;
		case '\r': strbuf_adds(sb, "\001r"); break;
		case '\n': strbuf_adds(sb, "\001n"); break;
		default: strbuf_addc(sb, *s);
		}
	}
}

int mg_maildir_set_subscriptions(mg_maildir *md, const mg_md_folder_ref *v, size_t n, mg_err *err)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "V\t2\n\n");
	for (size_t i = 0; i < n; i++) {
		if (v[i].n == 0) {
			strbuf_adds(&sb, "INBOX\n");
			continue;
		}
		for (size_t k = 0; k < v[i].n; k++) {
			char *enc;
			if (mg_mutf7_encode(v[i].comps[k], &enc, err) < 0) {
				strbuf_free(&sb);
				return -1;
			}
			if (k)
				strbuf_addc(&sb, '\t');
			add_tabescaped(&sb, enc);
			free(enc);
		}
		strbuf_addc(&sb, '\n');
	}
	char *path = mg_path_join(md->root, "subscriptions");
	int rc = mg_write_atomic(path, sb.buf, sb.len, 0600, err);
	free(path);
	strbuf_free(&sb);
	return rc;
}

char *mg_maildir_base(const char *src_folder, uint32_t uidvalidity, uint32_t uid, int64_t date)
{
	uint32_t fh = (uint32_t)(fnv64(src_folder, strlen(src_folder)) & 0xffffffffu);
	if (date < 0)
		date = 0;
	return xasprintf("%" PRId64 ".mg%08" PRIx32 "-%" PRIu32 "-%" PRIu32 ".migsh",
	                 date, fh, uidvalidity, uid);
}

/* ------------------------------------------------------------ index --- */

static size_t base_len(const char *name)
{
	size_t n = strcspn(name, ",:");
	return n;
}

static md_slot *slot_find(mg_mdfolder *f, const char *base, size_t bl)
{
	if (!f->cap)
		return NULL;
	size_t i = (size_t)fnv64(base, bl) & (f->cap - 1);
	for (;;) {
		md_slot *s = &f->slots[i];
		if (!s->base)
			return s;
		if (strlen(s->base) == bl && memcmp(s->base, base, bl) == 0)
			return s;
		i = (i + 1) & (f->cap - 1);
	}
}

static void index_put(mg_mdfolder *f, const char *base, size_t bl, const char *rel)
{
	if ((f->used + 1) * 2 > f->cap) {
		md_slot *old = f->slots;
		size_t oc = f->cap;
		f->cap = oc ? oc * 2 : 64;
		f->slots = xcalloc(f->cap, sizeof *f->slots);
		f->used = 0;
		for (size_t i = 0; i < oc; i++) {
			if (!old[i].base)
				continue;
			md_slot *s = slot_find(f, old[i].base, strlen(old[i].base));
			*s = old[i];
			f->used++;
		}
		free(old);
	}
	md_slot *s = slot_find(f, base, bl);
	if (s->base) {
		free(s->rel);
		s->rel = xstrdup(rel);
		return;
	}
	s->base = xstrndup(base, bl);
	s->rel = xstrdup(rel);
	f->used++;
}

static int scan_sub(mg_mdfolder *f, const char *sub, mg_err *err)
{
	char *p = mg_path_join(f->dir, sub);
	DIR *d = opendir(p);
	if (!d) {
		mg_err_sys(err, MGC_READ, "MaildirScan", "cannot read directory '%s'", p);
		free(p);
		return -1;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *rel = xasprintf("%s/%s", sub, de->d_name);
		index_put(f, de->d_name, base_len(de->d_name), rel);
		free(rel);
	}
	closedir(d);
	free(p);
	return 0;
}

/* Remove our own half-written files (".migsh" bases) left in tmp/ by a crash. */
static void clean_tmp(mg_mdfolder *f)
{
	char *p = mg_path_join(f->dir, "tmp");
	DIR *d = opendir(p);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 6 && strcmp(de->d_name + l - 6, ".migsh") == 0)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	if (d)
		closedir(d);
	free(p);
}

static int load_keywords(mg_mdfolder *f, mg_err *err)
{
	char *path = mg_path_join(f->dir, "dovecot-keywords");
	char *data = NULL;
	size_t len;
	int rc = 0;
	if (access(path, F_OK) == 0) {
		rc = mg_read_file(path, 1u << 20, &data, &len, err);
		for (char *line = data, *nl; rc == 0 && line && *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			char *end;
			long idx = strtol(line, &end, 10);
			if (end != line && *end == ' ' && idx >= 0 && idx < 26 && end[1]) {
				free(f->kw[idx]);
				f->kw[idx] = xstrdup(end + 1);
			}
			if (!nl)
				break;
		}
	}
	free(data);
	free(path);
	return rc;
}

static int save_keywords(mg_mdfolder *f, mg_err *err)
{
	strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	for (int i = 0; i < 26; i++)
		if (f->kw[i])
			strbuf_addf(&sb, "%d %s\n", i, f->kw[i]);
	char *path = mg_path_join(f->dir, "dovecot-keywords");
	int rc = mg_write_atomic(path, sb.buf, sb.len, 0600, err);
	free(path);
	strbuf_free(&sb);
	return rc;
}

int mg_mdfolder_open(mg_maildir *md, char *const *comps, size_t n, mg_mdfolder **out, mg_err *err)
{
	char *dn;
	if (mg_maildir_dirname(comps, n, &dn, err) < 0)
		return -1;
	mg_mdfolder *f = xcalloc(1, sizeof *f);
	f->md = md;
	f->dir = *dn ? mg_path_join(md->root, dn) : xstrdup(md->root);
	f->dirfd = -1;
	free(dn);
	if (make_maildir(f->dir, err) < 0)
		goto fail;
	if (n) {
		char *mf = mg_path_join(f->dir, "maildirfolder");
		int fd = open(mf, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		free(mf);
		if (fd >= 0)
			close(fd);
	}
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0) {
		mg_err_sys(err, MGC_READ, "MaildirOpen", "cannot open '%s'", f->dir);
		goto fail;
	}
	if (scan_sub(f, "cur", err) < 0 || scan_sub(f, "new", err) < 0 || load_keywords(f, err) < 0)
		goto fail;
	clean_tmp(f);
	*out = f;
	return 0;
fail:
	mg_mdfolder_close(f);
	return -1;
}

void mg_mdfolder_close(mg_mdfolder *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->cap; i++) {
		free(f->slots[i].base);
		free(f->slots[i].rel);
	}
	free(f->slots);
	for (int i = 0; i < 26; i++)
		free(f->kw[i]);
	for (size_t i = 0; i < f->n_kw_lost; i++)
		free(f->kw_lost[i]);
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f->dir);
	free(f);
}

const char *mg_mdfolder_path(const mg_mdfolder *f) { return f->dir; }
size_t mg_mdfolder_count(const mg_mdfolder *f) { return f->used; }

const char *mg_mdfolder_find(mg_mdfolder *f, const char *base, long long *size)
{
	md_slot *s = slot_find(f, base, strlen(base));
	if (!s || !s->base)
		return NULL;
	if (size) {
		struct stat st;
		*size = fstatat(f->dirfd, s->rel, &st, 0) == 0 ? (long long)st.st_size : -1;
	}
	return s->rel;
}

int mg_mdfolder_remove(mg_mdfolder *f, const char *base, mg_err *err)
{
	const char *rel = mg_mdfolder_find(f, base, NULL);
	if (!rel)
		return 0;
	if (unlinkat(f->dirfd, rel, 0) < 0 && errno != ENOENT)
		return mg_err_sys(err, MGC_WRITE, "MaildirRemove", "cannot remove '%s/%s'", f->dir, rel);
	f->dirty = true;   /* the index keeps the name until the folder is closed */
	return 0;
}

/* ------------------------------------------------------------ flags --- */

static void note_lost_keyword(mg_mdfolder *f, const char *kw)
{
	for (size_t i = 0; i < f->n_kw_lost; i++)
		if (!strcmp(f->kw_lost[i], kw))
			return;
	if (f->n_kw_lost < MG_MD_LOST_NAMES)
		f->kw_lost[f->n_kw_lost++] = xstrdup(kw);
	else
		f->kw_lost_more = true;
}

long long mg_mdfolder_keywords_lost(const mg_mdfolder *f, const char *const **names, size_t *n,
                                    bool *more)
{
	if (more)
		*more = f->kw_lost_more;
	if (names)
		*names = (const char *const *)f->kw_lost;
	if (n)
		*n = f->n_kw_lost;
	return f->kw_lost_msgs;
}

int mg_mdfolder_flag_letters(mg_mdfolder *f, const char *const *flags, size_t n_flags,
                             char out[64], int *dropped, mg_err *err)
{
	bool have[128] = { false };
	bool kw_added = false;
	int lost = 0;
	for (size_t i = 0; i < n_flags; i++) {
		const char *fl = flags[i];
		if (fl[0] == '\\') {
			if (str_ieq(fl, "\\Seen")) have['S'] = true;
			else if (str_ieq(fl, "\\Answered")) have['R'] = true;
			else if (str_ieq(fl, "\\Flagged")) have['F'] = true;
			else if (str_ieq(fl, "\\Deleted")) have['T'] = true;
			else if (str_ieq(fl, "\\Draft")) have['D'] = true;
			continue;  /* \Recent and unknown system flags */
		}
		if (!*fl || strpbrk(fl, " \t\r\n()"))
			continue;
		int idx = -1, free_idx = -1;
		for (int pass = 0; pass < 2 && idx < 0; pass++) {
			/* unknown: re-read the file first (Dovecot may have added keywords) */
			if (pass == 1 && !kw_added && load_keywords(f, err) < 0)
				return -1;
			free_idx = -1;
			for (int k = 0; k < 26; k++) {
				if (f->kw[k] && strcmp(f->kw[k], fl) == 0)
					idx = k;
				if (!f->kw[k] && free_idx < 0)
					free_idx = k;
			}
		}
		if (idx < 0 && free_idx >= 0) {
			f->kw[free_idx] = xstrdup(fl);
			idx = free_idx;
			kw_added = true;
		}
		if (idx < 0) {
			lost++;
			note_lost_keyword(f, fl);
			continue;
		}
		have['a' + idx] = true;
	}
	if (lost)
		f->kw_lost_msgs++;
	if (dropped)
		*dropped = lost;
	if (kw_added && save_keywords(f, err) < 0)
		return -1;
	size_t o = 0;
	for (int c = 0; c < 128; c++)
		if (have[c])
			out[o++] = (char)c;
	out[o] = '\0';
	return 0;
}

/* ------------------------------------------------------------ write --- */

int mg_mdfolder_begin(mg_mdfolder *f, const char *base, mg_mdwrite *w, mg_err *err)
{
	memset(w, 0, sizeof *w);
	w->base = xstrdup(base);
	w->tmp_path = xasprintf("%s/tmp/%s", f->dir, base);
	w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		mg_err_sys(err, MGC_WRITE, "MaildirWrite", "cannot create '%s'", w->tmp_path);
		mg_mdwrite_abort(w);
		return -1;
	}
	return 0;
}

int mg_mdwrite_data(mg_mdwrite *w, const void *data, size_t len, mg_err *err)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(w->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mg_err_sys(err, MGC_WRITE, "MaildirWrite", "cannot write '%s'", w->tmp_path);
		}
		p += n;
		len -= (size_t)n;
		w->written += (uint64_t)n;
	}
	return 0;
}

void mg_mdwrite_abort(mg_mdwrite *w)
{
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->tmp_path);
	}
	w->fd = -1;
	free(w->tmp_path);
	free(w->base);
	w->tmp_path = w->base = NULL;
}

int mg_mdfolder_finish(mg_mdfolder *f, mg_mdwrite *w, const char *const *flags, size_t n_flags,
                       int64_t internaldate, mg_err *err)
{
	char letters[64];
	int rc = -1;
	char *rel = NULL;
	if (mg_mdfolder_flag_letters(f, flags, n_flags, letters, NULL, err) < 0)
		goto out;
	struct timespec ts[2];
	ts[0].tv_sec = ts[1].tv_sec = (time_t)internaldate;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (futimens(w->fd, ts) < 0) {
		mg_err_sys(err, MGC_WRITE, "MaildirWrite", "cannot set the date of '%s'", w->tmp_path);
		goto out;
	}
	if (close(w->fd) < 0) {
		w->fd = -1;
		mg_err_sys(err, MGC_WRITE, "MaildirWrite", "cannot write '%s'", w->tmp_path);
		unlink(w->tmp_path);
		goto out;
	}
	w->fd = -1;
	rel = xasprintf("cur/%s,S=%" PRIu64 ":2,%s", w->base, w->written, letters);
	char *dst = mg_path_join(f->dir, rel);
	md_slot *s = slot_find(f, w->base, strlen(w->base));
	char *old = (s && s->base && strcmp(s->rel, rel) != 0) ? mg_path_join(f->dir, s->rel) : NULL;
	if (rename(w->tmp_path, dst) < 0) {
		mg_err_sys(err, MGC_WRITE, "MaildirWrite", "cannot move '%s' to '%s'", w->tmp_path, dst);
		unlink(w->tmp_path);
		free(dst);
		free(old);
		goto out;
	}
	if (old)
		unlink(old);     /* an earlier copy of the same source message */
	free(old);
	free(dst);
	index_put(f, w->base, strlen(w->base), rel);
	f->dirty = true;
	rc = 0;
out:
	free(rel);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->tmp_path);
	free(w->base);
	w->tmp_path = w->base = NULL;
	return rc;
}

int mg_mdfolder_set_flags(mg_mdfolder *f, const char *base, const char *const *flags,
                          size_t n_flags, mg_err *err)
{
	md_slot *s = slot_find(f, base, strlen(base));
	if (!s || !s->base) {
		/* Dovecot may have moved it from new/ to cur/: rescan once */
		if (scan_sub(f, "cur", err) < 0 || scan_sub(f, "new", err) < 0)
			return -1;
		s = slot_find(f, base, strlen(base));
		if (!s || !s->base)
			return mg_err_set(err, MGC_NOTFOUND, "MaildirMessageMissing",
			                  "message '%s' is no longer in '%s'", base, f->dir);
	}
	char letters[64];
	if (mg_mdfolder_flag_letters(f, flags, n_flags, letters, NULL, err) < 0)
		return -1;
	const char *cur = s->rel;
	const char *colon = strstr(cur, ":2,");
	size_t keep = colon ? (size_t)(colon - cur) : strlen(cur);
	const char *name = strchr(cur, '/');
	name = name ? name + 1 : cur;
	size_t skip = (size_t)(name - cur);
	char *rel = xasprintf("cur/%.*s:2,%s", (int)(keep - skip), name, letters);
	if (strcmp(rel, cur) == 0) {
		free(rel);
		return 0;
	}
	if (renameat(f->dirfd, cur, f->dirfd, rel) < 0) {
		int e = errno;
		free(rel);
		errno = e;
		return mg_err_sys(err, MGC_WRITE, "MaildirFlags", "cannot rename '%s/%s'", f->dir, cur);
	}
	free(s->rel);
	s->rel = rel;
	f->dirty = true;
	return 0;
}

int mg_mdfolder_sync(mg_mdfolder *f, mg_err *err)
{
	if (!f->dirty)
		return 0;
	if (syncfs(f->dirfd) < 0)
		return mg_err_sys(err, MGC_WRITE, "MaildirSync", "cannot sync '%s'", f->dir);
	f->dirty = false;
	return 0;
}
