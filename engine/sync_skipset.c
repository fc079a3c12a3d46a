/*
 * sync_skipset.c - the source messages of one folder that the last complete
 * pass did not copy (too large, over the item limit, filtered, unreadable
 * or refused by the target), so that an incremental pass that only asks
 * the source for what is new or changed (CONDSTORE) still looks at them
 * again and reports them: the statistics describe the mailbox, not the
 * last pass.  A message leaves the set when it is copied or gone from the
 * source.
 *
 * File: next to the folder's journal, "<journal>.skip", written with
 * mg_write_atomic before the journal records the pass as done (so a crash
 * in between only makes the next pass look at a few messages twice):
 *   migsh-skipset 1 <UIDVALIDITY>\n
 *   <uid or first:last ranges, comma separated>\n
 * A missing file (state from an older migsh) or another UIDVALIDITY means
 * "unknown": the caller then reads the whole folder.
 */
#include "config.h"
#include "engine/sync_internal.h"
#include "common/fileio.h"
#include "common/mem.h"
#include "common/str.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SKIPSET_MAX_FILE (64u << 20)

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

char *sync_skipset_path(const char *journal_path)
{
	return xasprintf("%s.skip", journal_path);
}

int sync_skipset_load(const char *path, uint32_t uidvalidity, uint32_t **uids, size_t *n,
                      mg_err *err)
{
	*uids = NULL;
	*n = 0;
	char *buf = NULL;
	size_t len = 0;
	mg_err e;
	mg_err_clear(&e);
	if (mg_read_file(path, SKIPSET_MAX_FILE, &buf, &len, &e) < 0) {
		if (e.category == MGC_NOTFOUND)
			return 1;
		mg_err_copy(err, &e);
		return -1;
	}
	unsigned long long v = 0;
	int used = 0;
	if (sscanf(buf, "migsh-skipset 1 %llu\n%n", &v, &used) != 1 || used == 0 ||
	    v != uidvalidity) {
		free(buf);
		return 1;     /* another incarnation or an unknown format: unknown */
	}
	uint32_t *out = NULL;
	size_t no = 0, cap = 0;
	const char *p = buf + used;
	while (*p && *p != '\n') {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;
		if (end == p)
			break;
		p = end;
		if (*p == ':') {
			b = strtoul(p + 1, &end, 10);
			p = end;
		}
		if (a == 0 || b < a || b > UINT32_MAX || b - a > 100000000UL)
			break;
		for (unsigned long u = a; u <= b; u++) {
			GROW(out, cap, no + 1);
			out[no++] = (uint32_t)u;
		}
		if (*p == ',')
			p++;
	}
	bool damaged = *p && *p != '\n';
	free(buf);
	if (damaged) {     /* treat as unknown */
		free(out);
		return 1;
	}
	*uids = out;
	*n = no;
	return 0;
}

char *sync_uidset_next(const uint32_t *uids, size_t n, size_t *pos, size_t max_len)
{
	if (*pos >= n)
		return NULL;
	strbuf sb = STRBUF_INIT;
	size_t i = *pos;
	while (i < n && (sb.len == 0 || sb.len < max_len)) {
		size_t j = i;
		while (j + 1 < n && uids[j + 1] == uids[j] + 1)
			j++;
		if (j == i)
			strbuf_addf(&sb, "%s%" PRIu32, sb.len ? "," : "", uids[i]);
		else
			strbuf_addf(&sb, "%s%" PRIu32 ":%" PRIu32, sb.len ? "," : "", uids[i], uids[j]);
		i = j + 1;
	}
	*pos = i;
	return strbuf_detach(&sb, NULL);
}

int sync_skipset_save(const char *path, uint32_t uidvalidity, uint32_t *uids, size_t n,
                      mg_err *err)
{
	if (n)
		qsort(uids, n, sizeof *uids, cmp_u32);
	strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "migsh-skipset 1 %" PRIu32 "\n", uidvalidity);
	size_t pos = 0;
	char *part;
	bool first = true;
	while ((part = sync_uidset_next(uids, n, &pos, 4096)) != NULL) {
		strbuf_addf(&sb, "%s%s", first ? "" : ",", part);
		first = false;
		free(part);
	}
	strbuf_addf(&sb, "\n");
	int rc = mg_write_atomic(path, sb.buf, sb.len, 0600, err);
	strbuf_free(&sb);
	return rc;
}
