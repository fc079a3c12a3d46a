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
 *   J version            journal format version, the first record of every
 *                        journal (MG_JOURNAL_VERSION; a journal without one is
 *                        version 1).  A newer version is refused, never guessed
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
 *   W size hash mark since   watch for a late copy (IMAP target): an intent
 *                        that was not confirmed; a dead run's server session
 *                        may still store it at target uid >= mark; since =
 *                        when it was seen unconfirmed (epoch seconds)
 *   Y                    all watches retired (W records may follow)
 *   X uid                message deleted at the source and its copy removed at
 *                        the destination (deletion sync): mapping dropped
 *                        (W, Y and X: version 2; version 1 journals read as ever)
 * flags are space-separated IMAP flags ("\Seen $Forwarded"), or "-" for none.
 *
 * A record with a valid CRC that cannot be applied (an unknown type, a newer
 * version) fails the open with MGC_INVALIDDATA: only an incomplete or garbled
 * tail is cut off, never a record that was flushed whole.
 *
 * Test builds only: compiled with MG_JOURNAL_STEP_HOOK (the program
 * tests/integration/sync_stepper, never migsh), MIGSH_TEST_JOURNAL_STEPS=N
 * makes the process kill itself with SIGKILL right after the Nth record is
 * durable (and, when MIGSH_TEST_JOURNAL_TORN=1, after writing half of the
 * next one): the crash test stops a sync after every journal step in turn.
 */
#ifndef MIGSH_ENGINE_SYNC_JOURNAL_H
#define MIGSH_ENGINE_SYNC_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/mem.h"

#define MG_JOURNAL_VERSION 2   /* 2: W and Y records */

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

typedef struct mg_jwatch {
	long long size;
	char      hash[72];
	uint32_t  mark;      /* a late copy has a target uid >= mark */
	int64_t   since;     /* epoch seconds */
} mg_jwatch;

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
	mg_jwatch *watches; size_t n_watches, cap_watches;   /* one per (size, hash) */
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
/* Watch for a late copy of (size, hash) at target uids >= mark; one watch per
 * (size, hash): the lowest mark and the latest since are kept. */
void mg_journal_watch(mg_journal *j, long long size, const char *hash, uint32_t mark, int64_t since);
/* Keep only the watches for which keep(arg, w) is true. */
void mg_journal_retire_watches(mg_journal *j, bool (*keep)(void *arg, const mg_jwatch *w), void *arg);
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
