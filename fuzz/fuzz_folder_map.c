/*
 * fuzz_folder_map.c - libFuzzer target for the folder mapper
 * (engine/folder_map.c) fed with what a server's LIST can hold.
 *
 * Input: byte 0 picks the source separator, byte 1 the destination one,
 * byte 2 the name limit and whether there is a namespace prefix; the rest
 * is split at '\n' into LIST entries (NUL bytes kept, as the parser marks
 * them), or into -IncludeFolders / -ExcludeFolders patterns when a line
 * starts with '+' / '-'.  Checks, besides memory safety: every plan has a
 * printable UTF-8 name (it goes into stored records); a folder planned for
 * copying has only levels the destination can hold (no separator, no
 * control byte, not empty, "." or "..") and fits the name limit; a damaged
 * wire name is never planned for copying.  Build: configure --enable-fuzzing CC=clang.
 */
#include "config.h"
#include "engine/folder_map.h"
#include "net/imap_parse.h"
#include "net/mutf7.h"
#include "common/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool printable_utf8(const char *s)
{
	if (!mg_utf8_valid(s))
		return false;
	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		if (*u < 0x20 || *u == 0x7f)
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char seps[] = { '/', '.', '\0', '\\' };
	if (size < 3)
		return 0;
	mg_fmap_opts o;
	memset(&o, 0, sizeof o);
	o.src_sep = seps[data[0] & 3];
	o.dst_sep = (data[1] & 1) ? '.' : '/';
	o.max_name_bytes = (data[2] & 1) ? 40 : 0;
	o.prefix = (data[2] & 2) ? "INBOX." : "";
	static const char *const roles[MG_ROLE_COUNT] = { NULL, NULL, "Sent", "Trash", "Junk", "Drafts", "Archive" };
	for (int r = 0; r < MG_ROLE_COUNT; r++)
		o.role_dest[r] = roles[r];
	const char *in = (const char *)data + 3;
	size_t len = size - 3;

	mg_imap_mailbox *v = NULL;
	size_t n = 0, cap = 0;
	char **inc = xcalloc(len + 2, sizeof *inc), **exc = xcalloc(len + 2, sizeof *exc);
	size_t ni = 0, ne = 0;
	for (size_t pos = 0; pos <= len;) {
		const char *nl = memchr(in + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (in + pos)) : len - pos;
		char *line = xmalloc(l + 1);
		memcpy(line, in + pos, l);
		line[l] = 0;
		pos += l + 1;
		if (l && (line[0] == '+' || line[0] == '-')) {
			if (memchr(line, 0, l)) {
				free(line);
				continue;
			}
			char *pat = xstrdup(line + 1);
			if (line[0] == '+')
				inc[ni++] = pat;
			else
				exc[ne++] = pat;
			free(line);
			continue;
		}
		for (size_t i = 0; i < l; i++)   /* as the LIST parser keeps a NUL */
			if (!line[i])
				line[i] = MG_IMAP_NUL_MARK;
		GROW(v, cap, n + 1);
		mg_imap_mailbox *m = &v[n++];
		memset(m, 0, sizeof *m);
		m->wire = line;
		m->sep = o.src_sep;
		m->flags = l ? ((unsigned char)line[0] & 0x0f) << 4 : 0;   /* some LIST flags */
		if (mg_mutf7_decode(line, &m->name, NULL) < 0)
			m->name = NULL;
		if (!nl)
			break;
	}
	o.include = ni ? (const char *const *)inc : NULL;
	o.exclude = ne ? (const char *const *)exc : NULL;

	mg_folder_plan *p = NULL;
	size_t np = 0;
	if (mg_fmap_build(v, n, &o, &p, &np, NULL) < 0)
		abort();
	for (size_t i = 0; i < np; i++) {
		const mg_folder_plan *f = &p[i];
		if (!f->name || !printable_utf8(f->name) || !f->rel)
			abort();
		if (f->status != MG_FPLAN_COPY)
			continue;
		if (f->unsendable)
			abort();
		size_t total = 0;
		for (size_t k = 0; k < f->n_comps; k++) {
			const char *c = f->comps[k];
			total += strlen(c) + (k ? 1 : 0);
			if (!*c || !strcmp(c, ".") || !strcmp(c, "..") || (o.dst_sep && strchr(c, o.dst_sep)))
				abort();
			for (const unsigned char *u = (const unsigned char *)c; *u; u++)
				if (*u < 0x20 || *u == 0x7f || *u == (unsigned char)MG_IMAP_NUL_MARK)
					abort();
		}
		(void)total;
		if (o.max_name_bytes && strlen(f->rel) > o.max_name_bytes)
			abort();
	}
	mg_fmap_free(p, np);
	for (size_t i = 0; i < n; i++) {
		free(v[i].wire);
		free(v[i].name);
	}
	free(v);
	for (size_t i = 0; i < ni; i++)
		free(inc[i]);
	for (size_t i = 0; i < ne; i++)
		free(exc[i]);
	free(inc);
	free(exc);
	return 0;
}
