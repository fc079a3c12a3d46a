/*
 * maildir_store.h - the local destination: one user's Maildir++ tree in the
 * layout Dovecot serves directly.
 *
 * Layout (admins find the store under FILES in migsh(1): mail/USER/):
 *   ROOT/{cur,new,tmp}                 INBOX
 *   ROOT/.Parent.Child/{cur,new,tmp}   folder "Parent/Child"; each level in
 *                                      modified UTF-7 (Dovecot's default), plus
 *                                      an empty `maildirfolder` file
 *   ROOT/subscriptions                 Dovecot's version 2 format: "V<TAB>2" and an
 *                                      empty line, then one folder per line, its
 *                                      levels (modified UTF-7) separated by TABs
 *   FOLDER/dovecot-keywords            "N keyword" lines: keyword N is letter 'a'+N
 *   FOLDER/cur/BASE,S=SIZE:2,FLAGS     one message, exact bytes as fetched;
 *                                      mtime = internal date; FLAGS sorted letters:
 *                                      D=\Draft F=\Flagged R=\Answered S=\Seen
 *                                      T=\Deleted, a..z = keywords
 * BASE is derived from the source identity (mg_maildir_base), so copying the
 * same source message again finds and replaces the earlier copy instead of
 * adding a second one.  Writes go to tmp/ and are renamed into cur/ only when
 * complete; durability is per group (mg_mdfolder_sync).
 */
#ifndef MIGSH_ENGINE_MAILDIR_STORE_H
#define MIGSH_ENGINE_MAILDIR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

typedef struct mg_maildir mg_maildir;
typedef struct mg_mdfolder mg_mdfolder;

/* Open (create 0700 if missing) a Maildir++ root. */
int  mg_maildir_open(const char *root, mg_maildir **out, mg_err *err);
void mg_maildir_close(mg_maildir *md);
const char *mg_maildir_root(const mg_maildir *md);

/* Directory name of a folder: "" for INBOX (no components), ".A.B" with each
 * component modified-UTF-7 encoded.  Refuses components that are empty,
 * contain '.', '/' or control characters (MGC_INVALIDARG). */
int mg_maildir_dirname(char *const *comps, size_t n, char **out, mg_err *err);

/* Rename a folder's directory (one level of the flat Maildir++ tree; its
 * subfolders are directories of their own).  Refused when the new name
 * exists (MGC_INVALIDOP) or the old one does not (MGC_NOTFOUND). */
int mg_maildir_rename_folder(mg_maildir *md, char *const *from, size_t nf, char *const *to, size_t nt,
                             mg_err *err);

/* Write ROOT/subscriptions listing exactly these folders (atomic rewrite);
 * an entry with n == 0 is INBOX. */
typedef struct mg_md_folder_ref { char *const *comps; size_t n; } mg_md_folder_ref;
int mg_maildir_set_subscriptions(mg_maildir *md, const mg_md_folder_ref *v, size_t n, mg_err *err);

/* Base name for a source message: "<date>.mg<folderhash>-<uidvalidity>-<uid>.migsh". */
char *mg_maildir_base(const char *src_folder, uint32_t uidvalidity, uint32_t uid, int64_t date);

/* Open (create) a folder and index the messages already in it. */
int  mg_mdfolder_open(mg_maildir *md, char *const *comps, size_t n, mg_mdfolder **out, mg_err *err);
void mg_mdfolder_close(mg_mdfolder *f);
const char *mg_mdfolder_path(const mg_mdfolder *f);

/* Existing message with this base: its path relative to the folder
 * ("cur/BASE,S=12:2,S") or NULL; *size (may be NULL) from the actual file. */
const char *mg_mdfolder_find(mg_mdfolder *f, const char *base, long long *size);
/* Remove the message with this base (deletion sync); none: nothing to do.
 * Durable at the next mg_mdfolder_sync. */
int mg_mdfolder_remove(mg_mdfolder *f, const char *base, mg_err *err);
/* Number of messages indexed. */
size_t mg_mdfolder_count(const mg_mdfolder *f);

/* Streaming write of one message. */
typedef struct mg_mdwrite {
	int       fd;
	char     *tmp_path;
	char     *base;
	uint64_t  written;
} mg_mdwrite;

int  mg_mdfolder_begin(mg_mdfolder *f, const char *base, mg_mdwrite *w, mg_err *err);
int  mg_mdwrite_data(mg_mdwrite *w, const void *data, size_t len, mg_err *err);
void mg_mdwrite_abort(mg_mdwrite *w);
/* Set mtime = internal date, close, rename into cur/ with the flags (an
 * earlier copy with the same base is replaced).  flags: IMAP flags and
 * keywords ("\\Seen", "$Forwarded"); \Recent is ignored. */
int  mg_mdfolder_finish(mg_mdfolder *f, mg_mdwrite *w, const char *const *flags, size_t n_flags,
                        int64_t internaldate, mg_err *err);
/* Change the flags of the message with this base (rename). */
int  mg_mdfolder_set_flags(mg_mdfolder *f, const char *base, const char *const *flags,
                           size_t n_flags, mg_err *err);
/* Make every write so far durable (one syncfs + directory fsyncs). */
int  mg_mdfolder_sync(mg_mdfolder *f, mg_err *err);

/* Letters for flags ("FRSa"), given the folder's keyword table (keywords not
 * yet known are added to dovecot-keywords; more than 26 are dropped and
 * counted in *dropped when not NULL).  Exposed for tests. */
int  mg_mdfolder_flag_letters(mg_mdfolder *f, const char *const *flags, size_t n_flags,
                              char out[64], int *dropped, mg_err *err);

/* Dovecot's Maildir keeps at most 26 keywords per folder.  Since the folder
 * was opened: how many messages were written or re-flagged without some of
 * their keywords, and (up to MG_MD_LOST_NAMES of) the keywords left out;
 * *more (may be NULL) tells whether other keywords were lost too. */
#define MG_MD_LOST_NAMES 8
long long mg_mdfolder_keywords_lost(const mg_mdfolder *f, const char *const **names, size_t *n,
                                    bool *more);

#endif
