/*
 * fileio.h - crash-safe file writes, bounded reads, directories, locks.
 *
 * All state and report files go through mg_write_atomic: temp file in the
 * same directory, write, fsync, rename, fsync the directory.  Files are
 * created with the mode given (0600 for state), directories 0700.
 */
#ifndef MIGSH_FILEIO_H
#define MIGSH_FILEIO_H

#include <stddef.h>
#include <sys/types.h>
#include "common/err.h"

int mg_write_atomic(const char *path, const void *data, size_t len, mode_t mode, mg_err *err);
/* Read a whole file, refusing files larger than max_bytes.  *out is
 * NUL-terminated (not counted in *len); caller frees. */
int mg_read_file(const char *path, size_t max_bytes, char **out, size_t *len, mg_err *err);
/* mkdir -p with the given mode for every directory it creates. */
int mg_mkdir_p(const char *path, mode_t mode, mg_err *err);
int mg_fsync_dir(const char *dir, mg_err *err);
/* Remove a directory tree (used for batch records, never for mail). */
int mg_rm_rf(const char *path, mg_err *err);
/* Exclusive advisory lock on path (created 0600). Returns fd >= 0 or -1.
 * wait=0: fail at once with a message when another process holds it. */
int mg_lock_file(const char *path, int wait, mg_err *err);
void mg_unlock_file(int fd);
/* Join two path parts with '/'; caller frees. */
char *mg_path_join(const char *a, const char *b);

#endif
