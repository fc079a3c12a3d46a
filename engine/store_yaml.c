/* store_yaml.c - YAML writer and libyaml reader for the state store (store_yaml.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/str.h"
#include "engine/records.h"
#include "engine/store_yaml.h"

/* ---- writer ---- */

void yw_str(strbuf *sb, const char *s)
{
	if (!s) {
		strbuf_addc(sb, '~');
		return;
	}
	strbuf_addc(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':  strbuf_adds(sb, "\\\""); break;
		case '\\': strbuf_adds(sb, "\\\\"); break;
		case '\n': strbuf_adds(sb, "\\n"); break;
		case '\r': strbuf_adds(sb, "\\r"); break;
		case '\t': strbuf_adds(sb, "\\t"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				strbuf_addf(sb, "\\x%02x", *p);
			else
				strbuf_addc(sb, (char)*p);
		}
	}
	strbuf_addc(sb, '"');
}

static void key(strbuf *sb, int indent, const char *k)
{
	for (int i = 0; i < indent; i++)
		strbuf_addc(sb, ' ');
	strbuf_adds(sb, k);
	strbuf_adds(sb, ": ");
}

void yw_kstr(strbuf *sb, int indent, const char *k, const char *val)
{
	key(sb, indent, k);
	yw_str(sb, val);
	strbuf_addc(sb, '\n');
}

void yw_kint(strbuf *sb, int indent, const char *k, long long v)
{
	key(sb, indent, k);
	strbuf_addf(sb, "%lld\n", v);
}

void yw_kbool(strbuf *sb, int indent, const char *k, bool v)
{
	key(sb, indent, k);
	strbuf_adds(sb, v ? "true\n" : "false\n");
}

void yw_kstrv(strbuf *sb, int indent, const char *k, char *const *v)
{
	key(sb, indent, k);
	if (!v) {
		strbuf_adds(sb, "~\n");
		return;
	}
	if (!v[0]) {
		strbuf_adds(sb, "[]\n");
		return;
	}
	strbuf_addc(sb, '\n');
	for (size_t i = 0; v[i]; i++) {
		for (int j = 0; j < indent + 2; j++)
			strbuf_addc(sb, ' ');
		strbuf_adds(sb, "- ");
		yw_str(sb, v[i]);
		strbuf_addc(sb, '\n');
	}
}

void yw_end(strbuf *sb)
{
	strbuf_adds(sb, "_end: true\n");
}

/* ---- reader ---- */

int ydoc_load(ydoc *d, const char *data, size_t len, const char *path, mg_err *err)
{
	memset(d, 0, sizeof *d);
	d->path = path;
	d->err = err;
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return mg_err_set(err, MGC_RESOURCE, "YamlInit", "cannot initialise the YAML parser");
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	if (!yaml_parser_load(&p, &d->doc)) {
		int rc = mg_err_set(err, MGC_INVALIDDATA, "StoreFileCorrupt",
		                    "The state file '%s' is corrupt: %s at line %lu, column %lu. "
		                    "Restore it from a backup or remove the object it belongs to.",
		                    path, p.problem ? p.problem : "YAML syntax error",
		                    (unsigned long)p.problem_mark.line + 1,
		                    (unsigned long)p.problem_mark.column + 1);
		yaml_parser_delete(&p);
		return rc;
	}
	yaml_parser_delete(&p);
	d->loaded = true;
	yaml_node_t *root = yaml_document_get_root_node(&d->doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		ydoc_free(d);
		return mg_err_set(err, MGC_INVALIDDATA, "StoreFileCorrupt",
		                  "The state file '%s' is %s (expected a YAML mapping). "
		                  "Restore it from a backup or remove the object it belongs to.",
		                  path, root ? "corrupt" : "empty or truncated");
	}
	/* the end marker must be the last key */
	yaml_node_pair_t *last = root->data.mapping.pairs.top - 1;
	const char *lk = NULL, *lv = NULL;
	if (root->data.mapping.pairs.top > root->data.mapping.pairs.start) {
		lk = yscalar(yaml_document_get_node(&d->doc, last->key));
		lv = yscalar(yaml_document_get_node(&d->doc, last->value));
	}
	if (!lk || strcmp(lk, "_end") || !lv || strcmp(lv, "true")) {
		ydoc_free(d);
		return mg_err_set(err, MGC_INVALIDDATA, "StoreFileTruncated",
		                  "The state file '%s' is truncated (its end marker is missing). "
		                  "Restore it from a backup or remove the object it belongs to.", path);
	}
	return 0;
}

void ydoc_free(ydoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = false;
}

yaml_node_t *ydoc_root(ydoc *d)
{
	return yaml_document_get_root_node(&d->doc);
}

const char *yscalar(yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	const char *v = (const char *)n->data.scalar.value;
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL")))
		return NULL;
	return v;
}

yaml_node_t *ymap_get(ydoc *d, yaml_node_t *map, const char *k)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	yaml_node_pair_t *start = map->data.mapping.pairs.start;
	int n = (int)(map->data.mapping.pairs.top - start);
	int from = d->last_map == map ? d->last_idx : 0;
	for (int i = 0; i < n; i++) {
		int j = (from + i) % n;
		yaml_node_t *kn = yaml_document_get_node(&d->doc, start[j].key);
		const char *ks = yscalar(kn);
		if (ks && !strcmp(ks, k)) {
			d->last_map = map;
			d->last_idx = (j + 1) % n;
			return yaml_document_get_node(&d->doc, start[j].value);
		}
	}
	return NULL;
}

static void bad(ydoc *d, const char *k, const char *what)
{
	if (d->failed)
		return;
	d->failed = 1;
	mg_err_set(d->err, MGC_INVALIDDATA, "StoreFileCorrupt",
	           "The state file '%s' is corrupt: field '%s' %s. "
	           "Restore it from a backup or remove the object it belongs to.", d->path, k, what);
}

void yget_str(ydoc *d, yaml_node_t *map, const char *k, bool required, char **out)
{
	yaml_node_t *n = ymap_get(d, map, k);
	if (!n) {
		if (required)
			bad(d, k, "is missing");
		return;
	}
	if (n->type != YAML_SCALAR_NODE) {
		bad(d, k, "is not a string");
		return;
	}
	const char *v = yscalar(n);
	if (!v && required) {
		bad(d, k, "is empty");
		return;
	}
	free(*out);
	*out = v ? xstrdup(v) : NULL;
}

void yget_ll(ydoc *d, yaml_node_t *map, const char *k, long long *out)
{
	yaml_node_t *n = ymap_get(d, map, k);
	if (!n)
		return;
	const char *v = yscalar(n);
	long long x;
	if (!v || str_to_ll(v, &x) < 0) {
		bad(d, k, "is not an integer");
		return;
	}
	*out = x;
}

void yget_i64(ydoc *d, yaml_node_t *map, const char *k, int64_t *out)
{
	long long x = *out;
	yget_ll(d, map, k, &x);
	*out = x;
}

void yget_int(ydoc *d, yaml_node_t *map, const char *k, int *out)
{
	long long x = *out;
	yget_ll(d, map, k, &x);
	if (x < -2147483647LL || x > 2147483647LL) {
		bad(d, k, "is out of range");
		return;
	}
	*out = (int)x;
}

void yget_bool(ydoc *d, yaml_node_t *map, const char *k, bool *out)
{
	yaml_node_t *n = ymap_get(d, map, k);
	if (!n)
		return;
	const char *v = yscalar(n);
	if (v && (!strcmp(v, "true") || !strcmp(v, "True")))
		*out = true;
	else if (v && (!strcmp(v, "false") || !strcmp(v, "False")))
		*out = false;
	else
		bad(d, k, "is not true or false");
}

void yget_strv(ydoc *d, yaml_node_t *map, const char *k, char ***out)
{
	yaml_node_t *n = ymap_get(d, map, k);
	if (!n)
		return;
	if (n->type == YAML_SCALAR_NODE && !yscalar(n)) {
		mg_strv_free_all(*out);
		*out = NULL;
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		bad(d, k, "is not a list");
		return;
	}
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	char **v = xcalloc(cnt + 1, sizeof *v);
	size_t j = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const char *s = yscalar(yaml_document_get_node(&d->doc, *it));
		if (!s) {
			mg_strv_free_all(v);
			bad(d, k, "has an item that is not a string");
			return;
		}
		v[j++] = xstrdup(s);
	}
	mg_strv_free_all(*out);
	*out = v;
}
