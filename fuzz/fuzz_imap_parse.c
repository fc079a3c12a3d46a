/*
 * fuzz_imap_parse.c - libFuzzer target for the IMAP response parser
 * (net/imap_parse.c).  The first input byte chooses how the rest is split
 * into feeds and whether literals are streamed; small limits make the
 * bound checks reachable.  Build: configure --enable-fuzzing CC=clang.
 */
#include "config.h"
#include "net/imap_parse.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static int f_begin(void *arg, const mg_imap_resp *partial, const mg_imap_val *list, uint64_t size)
{
	(void)partial;
	(void)size;
	size_t *n = arg;
	/* touch everything begin() may look at */
	for (size_t i = 0; list && i < list->n; i++)
		if (mg_imap_val_str(&list->items[i]))
			*n += strlen(mg_imap_val_str(&list->items[i]));
	return (*n & 1) ? 1 : 0;
}

static int f_data(void *arg, const void *p, size_t len)
{
	size_t *n = arg;
	if (len)
		*n += ((const unsigned char *)p)[len - 1];
	return 0;
}

static int f_end(void *arg)
{
	(void)arg;
	return 0;
}

static const mg_imap_stream_ops ops = { f_begin, f_data, f_end };

static void walk(const mg_imap_val *v, size_t *n)
{
	if (v->type == MG_IMAP_LIST) {
		for (size_t i = 0; i < v->n; i++)
			walk(&v->items[i], n);
	} else if (v->s) {
		*n += v->len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	mg_imap_parse_limits lim = { .max_line = 4096, .max_literal = 1 << 20, .max_buffered = 8192,
	                             .stream_min = (mode & 0x40) ? 1 : 0 };
	mg_imap_parser *p = mg_imap_parser_new(&lim);
	size_t sink = 0;
	if (mode & 0x80)
		mg_imap_parser_set_stream(p, &ops, &sink);
	size_t step = (mode & 0x3f) + 1, off = 0;
	while (off < size) {
		size_t n = size - off < step ? size - off : step;
		size_t used = 0;
		const mg_imap_resp *r;
		int rc = mg_imap_parser_feed(p, data + off, n, &used, &r, NULL);
		if (rc < 0)
			break;
		off += used;
		if (rc == 1) {
			walk(&r->args, &sink);
			walk(&r->code_args, &sink);
			sink += r->text ? strlen(r->text) : 0;
		}
	}
	mg_imap_parser_free(p);
	return (int)(sink & 0);
}
