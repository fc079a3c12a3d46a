/*
 * paths.h - mapping Windows paths from Microsoft's examples to local files.
 *
 * Admins paste lines such as
 *   -CSVData ([System.IO.File]::ReadAllBytes("C:\Users\Administrator\Desktop\batch.csv"))
 * A drive path `X:\a\b\c.csv` maps to `$MIGSH_HOME/drives/x/a/b/c.csv`
 * (drive letter lower-cased, backslashes turned into '/').  When that file
 * does not exist, the base name (`c.csv`) in the current directory is used.
 * A path that exists in neither place is an error naming the Windows path
 * and both places looked at.  Any other path is used as given (relative to
 * the current directory), with backslashes turned into '/' when the path as
 * given does not exist.
 */
#ifndef MIGSH_PATHS_H
#define MIGSH_PATHS_H

#include <stdbool.h>
#include "common/err.h"

struct mg_session;

/* Returns a malloc'd local path of an existing file, or NULL with err set
 * (category ObjectNotFound, id PathNotFound).  s may be NULL (then the
 * default data directory is used). */
char *mg_map_path(struct mg_session *s, const char *path, mg_err *err);

/* Same mapping for a file that is about to be written (Out-File,
 * Export-Csv): never fails for a non-existing file; a drive path whose
 * drives/ directory does not exist maps to the base name in the current
 * directory.  Returns malloc'd path. */
char *mg_map_path_for_write(struct mg_session *s, const char *path);

/* May this session read the existing file at local?  Always, unless the
 * session is confined to a directory (s->file_root, set by the evaluator's
 * fuzzer): then only regular files under that directory, symbolic links
 * and '..' resolved.  mg_map_path already applies it. */
bool mg_path_confined(struct mg_session *s, const char *local);

#endif
