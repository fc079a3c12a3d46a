/*
 * sync_journal.h - per-folder sync state: an append-only journal (one per
 * source folder, under the job's state_dir) replayed into memory at open,
 * compacted now and then into a snapshot written atomically.
 *
 * Each record is one line "TYPE<TAB>fields...<TAB>crc32hex\n".  A record is
 * valid only when complete and its CRC matches: a torn or garbled tail (a
 * crash while appending) ends the replay and is cut off, so the state is
 * exactly what was flushed before the crash.
 *
 * Records:
 *   N hexname            source folder name (informational)
 *   V uidvalidity        source UIDVALIDITY; a different value turns every
 *                        mapped message into an orphan (for rescan matching)
 *   M uid size date flags dest     message copied (dest = destination id)
 *   F uid flags          flags carried to the destination
 *   O size date flags dest         orphan (snapshot form)
 *   S uidnext modseq     end of a complete pass
 *   D uidvalidity        destination folder UIDVALIDITY (IMAP target)
 *   P uidnext            destination UIDNEXT before pending appends
 *   I uid size date hash intent to append (IMAP target), cleared by M or Z
 *   Z                    all intents resolved
 *   X uid                message deleted at the source and its copy removed at
 *                        the destination (deletion sync): mapping dropped
 * flags are space-separated IMAP flags ("\Seen $Forwarded"), or "-" for none.
 */
#ifndef MIGSH_ENGINE_SYNC_JOURNAL_H
#define MIGSH_ENGINE_SYNC_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/mem.h"

typedef struct mg_jmsg {
	uint32_t  uid;       /* source uid (0 for orphans) */
	long long size;
	int64_t   date;
	char     *flags;     /* normalized ("" for none) */
	char     *dest;
} mg_jmsg;

typedef struct mg_jintent {
	uint32_t  uid;
	long long size;
	int64_t   date;
	char      hash[72];
} mg_jintent;

typedef struct mg_journal {
	char     *path;
	int       fd;
	char     *folder;
	uint32_t  uidvalidity;
	uint32_t  uidnext;          /* from the last complete pass (S) */
	uint64_t  modseq;
	uint32_t  dst_uidvalidity;
	uint32_t  dst_mark;         /* P */
	mg_jmsg  *msgs; size_t n_msgs, cap_msgs;        /* sorted by uid */
	mg_jmsg  *orphans; size_t n_orphans, cap_orphans;
	mg_jintent *intents; size_t n_intents, cap_intents;
	size_t    records;          /* records in the file */
	size_t    dropped_bytes;    /* torn tail cut off at open */
	strbuf    pending;          /* appended, not yet flushed */
} mg_journal;

int  mg_journal_open(const char *path, mg_journal **out, mg_err *err);
void mg_journal_close(mg_journal *j);   /* does not flush */

mg_jmsg *mg_journal_find(mg_journal *j, uint32_t uid);

void mg_journal_set_folder(mg_journal *j, const char *name);
void mg_journal_set_uidvalidity(mg_journal *j, uint32_t uidvalidity);
void mg_journal_add(mg_journal *j, uint32_t uid, long long size, int64_t date,
                    const char *flags, const char *dest);
void mg_journal_set_flags(mg_journal *j, uint32_t uid, const char *flags);
/* Drop uid's mapping (after its destination copy was removed). */
void mg_journal_forget(mg_journal *j, uint32_t uid);
void mg_journal_pass_done(mg_journal *j, uint32_t uidnext, uint64_t modseq);
void mg_journal_set_dst_uidvalidity(mg_journal *j, uint32_t v);
void mg_journal_mark(mg_journal *j, uint32_t dst_uidnext);
void mg_journal_intent(mg_journal *j, uint32_t uid, long long size, int64_t date, const char *hash);
void mg_journal_clear_intents(mg_journal *j);
/* Forget orphan i (its dest is now mapped by an M record). */
void mg_journal_orphan_used(mg_journal *j, size_t i);

/* Append pending records and fdatasync. */
int  mg_journal_flush(mg_journal *j, mg_err *err);
/* Rewrite as a snapshot when the file holds many more records than state
 * (or always when force).  Flushes first. */
int  mg_journal_compact(mg_journal *j, bool force, mg_err *err);

/* Normalize a flag list: sorted, \Recent dropped, space-separated; caller frees. */
char *mg_flags_normalize(const char *const *flags, size_t n);
/* Split a normalized string back (pointers into a malloc'd copy *store). */
size_t mg_flags_split(const char *s, char **store, const char ***out);

#endif
