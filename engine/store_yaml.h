/*
 * store_yaml.h - the small YAML layer under the state store: a writer that
 * emits block mappings with every string double-quoted (so any UTF-8 value
 * round-trips), and a libyaml-based reader with typed getters that report
 * the file and field on any mismatch.  Internal to engine/.
 *
 * Every record file ends with the key "_end: true"; a file without it was
 * truncated and is refused.
 */
#ifndef MIGSH_ENGINE_STORE_YAML_H
#define MIGSH_ENGINE_STORE_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>
#include "common/err.h"
#include "common/mem.h"

/* ---- writer ---- */
void yw_str(strbuf *sb, const char *s);   /* a double-quoted scalar, or ~ for NULL */
void yw_kstr(strbuf *sb, int indent, const char *key, const char *val);
void yw_kint(strbuf *sb, int indent, const char *key, long long v);
void yw_kbool(strbuf *sb, int indent, const char *key, bool v);
void yw_kstrv(strbuf *sb, int indent, const char *key, char *const *v);  /* NULL -> ~ */
void yw_end(strbuf *sb);                  /* "_end: true\n" */

/* ---- reader ---- */
typedef struct ydoc {
	yaml_document_t doc;
	bool            loaded;
	const char     *path;     /* for messages */
	mg_err         *err;
	int             failed;   /* a getter failed (err filled) */
	yaml_node_t    *last_map; /* lookup cursor: getters mostly ask in file order */
	int             last_idx;
} ydoc;

/* Parse data; the root must be a mapping ending in "_end: true". */
int  ydoc_load(ydoc *d, const char *data, size_t len, const char *path, mg_err *err);
void ydoc_free(ydoc *d);
yaml_node_t *ydoc_root(ydoc *d);
yaml_node_t *ymap_get(ydoc *d, yaml_node_t *map, const char *key);
/* Scalar text of n, NULL for null (~, null, empty plain) or non-scalars. */
const char *yscalar(yaml_node_t *n);

/* Typed getters from mapping `map`: absent key leaves *out unchanged
 * unless `required`; type errors set d->failed and d->err (file + key). */
void yget_str(ydoc *d, yaml_node_t *map, const char *key, bool required, char **out);
void yget_ll(ydoc *d, yaml_node_t *map, const char *key, long long *out);
void yget_i64(ydoc *d, yaml_node_t *map, const char *key, int64_t *out);
void yget_int(ydoc *d, yaml_node_t *map, const char *key, int *out);
void yget_bool(ydoc *d, yaml_node_t *map, const char *key, bool *out);
void yget_strv(ydoc *d, yaml_node_t *map, const char *key, char ***out);

#endif
