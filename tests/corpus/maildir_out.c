/* maildir_out.c - writes generated messages into Dovecot-style Maildir++ folders. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


#include "common/fileio.h"
#include "common/mem.h"
#include "tests/corpus/maildir_out.h"
#include "tests/corpus/textgen.h"

/* Fixed mtime of the non-message files (2026-01-01), so whole trees compare equal. */
#define CG_META_MTIME INT64_C(1767225600)

const char *const cg_keywords[CG_NKEYWORDS] = { "$Forwarded", "Work", "$Label1", "Project-X" };

static int dir_has_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d)) != NULL)
		found = e->d_name[0] != '.';
	closedir(d);
	return found;
}

static int write_file(const char *path, const void *data, size_t len, int64_t mtime,
                      mg_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	const char *p = data;

	if (fd < 0)
		return mg_err_sys(err, MGC_WRITE, "CorpusWrite", "cannot create %s", path);
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return mg_err_sys(err, MGC_WRITE, "CorpusWrite", "cannot write %s", path);
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) != 0)
		return mg_err_sys(err, MGC_WRITE, "CorpusWrite", "cannot write %s", path);
	if (mtime >= 0) {
		struct timespec ts[2];
		ts[0].tv_sec = ts[1].tv_sec = (time_t)mtime;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		if (utimensat(AT_FDCWD, path, ts, 0) != 0)
			return mg_err_sys(err, MGC_WRITE, "CorpusWrite", "cannot set the date of %s", path);
	}
	return 0;
}

int cg_folder_open(cg_folder *f, const char *path, int is_inbox, uint32_t uidvalidity,
                   mg_err *err)
{
	static const char *const subs[] = { "cur", "new", "tmp" };

	memset(f, 0, sizeof *f);
	f->path = xstrdup(path);
	f->uidvalidity = uidvalidity;
	for (size_t i = 0; i < 3; i++) {
		char *d = mg_path_join(path, subs[i]);
		int rc = mg_mkdir_p(d, 0755, err);
		if (rc == 0 && i < 2 && dir_has_files(d))
			rc = mg_err_set(err, MGC_EXISTS, "CorpusNotEmpty",
			                "%s already holds messages; give --out an empty directory "
			                "(the generator never mixes its mail with existing mail)", d);
		free(d);
		if (rc != 0)
			return -1;
	}
	if (!is_inbox) {
		char *m = mg_path_join(path, "maildirfolder");
		int rc = write_file(m, "", 0, CG_META_MTIME, err);
		free(m);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int cg_folder_add(cg_folder *f, const char *data, size_t len, int64_t date,
                  unsigned flags, unsigned kw, int in_new, unsigned seq, unsigned tag,
                  unsigned *uid, char **relpath, mg_err *err)
{
	char *base = xasprintf("%lld.M%uP%u.corpus,S=%zu,W=%zu", (long long)date, seq, tag,
	                       len, cg_vsize(data, len));
	strbuf rel = STRBUF_INIT;
	char *full;
	int rc;

	if (in_new) {
		strbuf_addf(&rel, "new/%s", base);
	} else {
		strbuf_addf(&rel, "cur/%s:2,", base);
		if (flags & CG_F_DRAFT)
			strbuf_addc(&rel, 'D');
		if (flags & CG_F_FLAGGED)
			strbuf_addc(&rel, 'F');
		if (flags & CG_F_ANSWERED)
			strbuf_addc(&rel, 'R');
		if (flags & CG_F_SEEN)
			strbuf_addc(&rel, 'S');
		for (unsigned k = 0; k < CG_NKEYWORDS; k++)
			if (kw & (1u << k))
				strbuf_addc(&rel, (char)('a' + k));
		f->kw_used |= kw;
	}
	full = mg_path_join(f->path, rel.buf);
	rc = write_file(full, data, len, date, err);
	free(full);
	if (rc != 0) {
		free(base);
		strbuf_free(&rel);
		return -1;
	}
	GROW(f->bases, f->cap, f->n + 1);
	f->bases[f->n++] = base;
	*uid = (unsigned)f->n;
	*relpath = strbuf_detach(&rel, NULL);
	return 0;
}

int cg_folder_close(cg_folder *f, uint64_t guid_seed, mg_err *err)
{
	strbuf sb = STRBUF_INIT;
	char *p;
	int rc;

	strbuf_addf(&sb, "3 V%u N%zu G%016llx%016llx\n", f->uidvalidity, f->n + 1,
	            (unsigned long long)guid_seed,
	            (unsigned long long)(guid_seed * 0x9e3779b97f4a7c15ULL + f->uidvalidity));
	for (size_t i = 0; i < f->n; i++)
		strbuf_addf(&sb, "%zu :%s\n", i + 1, f->bases[i]);
	p = mg_path_join(f->path, "dovecot-uidlist");
	rc = write_file(p, sb.buf, sb.len, CG_META_MTIME, err);
	free(p);
	if (rc == 0 && f->kw_used) {
		strbuf_reset(&sb);
		for (unsigned k = 0; k < CG_NKEYWORDS; k++)
			strbuf_addf(&sb, "%u %s\n", k, cg_keywords[k]);
		p = mg_path_join(f->path, "dovecot-keywords");
		rc = write_file(p, sb.buf, sb.len, CG_META_MTIME, err);
		free(p);
	}
	strbuf_free(&sb);
	for (size_t i = 0; i < f->n; i++)
		free(f->bases[i]);
	free(f->bases);
	free(f->path);
	memset(f, 0, sizeof *f);
	return rc;
}

char *cg_flags_imap(unsigned flags, unsigned kw, int in_new)
{
	strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, "");
	if (!in_new) {
		if (flags & CG_F_ANSWERED)
			strbuf_adds(&sb, " \\Answered");
		if (flags & CG_F_DRAFT)
			strbuf_adds(&sb, " \\Draft");
		if (flags & CG_F_FLAGGED)
			strbuf_adds(&sb, " \\Flagged");
		if (flags & CG_F_SEEN)
			strbuf_adds(&sb, " \\Seen");
		for (unsigned k = 0; k < CG_NKEYWORDS; k++)
			if (kw & (1u << k))
				strbuf_addf(&sb, " %s", cg_keywords[k]);
	}
	if (sb.len && sb.buf[0] == ' ')
		memmove(sb.buf, sb.buf + 1, sb.len--);
	return strbuf_detach(&sb, NULL);
}
