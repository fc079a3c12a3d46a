/*
 * mem.h - allocation helpers and a growable byte buffer.
 *
 * Ownership rule: whoever calls an allocating function owns the result and
 * frees it (free() for x*alloc/xstrdup/xasprintf, strbuf_free for strbuf).
 * Out-of-memory aborts with a message; nothing in migsh handles NULL from
 * these helpers.
 */
#ifndef MIGSH_MEM_H
#define MIGSH_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);           /* xstrdup(NULL) == NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Grow *arr (of elements of size elsz) so that it can hold need elements. */
void grow_array(void **arr, size_t *cap, size_t need, size_t elsz);
#define GROW(arr, cap, need) grow_array((void **)&(arr), &(cap), (need), sizeof *(arr))

typedef struct strbuf {
	char  *buf;   /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
} strbuf;

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_grow(strbuf *sb, size_t extra);
void strbuf_add(strbuf *sb, const void *data, size_t n);
void strbuf_adds(strbuf *sb, const char *s);
void strbuf_addc(strbuf *sb, char c);
void strbuf_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(strbuf *sb, const char *fmt, va_list ap);
void strbuf_reset(strbuf *sb);               /* len = 0, keep memory */
char *strbuf_detach(strbuf *sb, size_t *len); /* caller owns; sb is reset */
void strbuf_free(strbuf *sb);
/* Wipe the contents (for buffers that held secrets) and free. */
void strbuf_free_secret(strbuf *sb);

/* Overwrite memory that held a secret so the compiler cannot elide it. */
void mg_wipe(void *p, size_t n);

#endif
