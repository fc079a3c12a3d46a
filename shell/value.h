/*
 * value.h - the shell's object model (what flows through pipelines).
 *
 * Values are reference-counted and immutable once shared: the creator owns
 * one reference; mv_ref() adds one, mv_unref() drops one and frees at zero.
 * A function that *returns* an mv* hands the caller one reference.  A
 * function that *takes* an mv* argument borrows it unless its name says
 * "take" (then it consumes the caller's reference).
 *
 * Objects (MV_OBJECT) have a type (mv_type_info: name, default display
 * properties, table-or-list preference) and ordered, case-insensitively
 * named properties.  Hashtables use the same ordered property list.
 */
#ifndef MIGSH_VALUE_H
#define MIGSH_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef enum mv_kind {
	MV_NULL,
	MV_BOOL,
	MV_INT,        /* 64-bit signed */
	MV_DOUBLE,
	MV_STRING,     /* UTF-8, may contain NUL only if made with mv_string_n */
	MV_BYTES,      /* Byte[]: raw file bytes (ReadAllBytes, -Encoding Byte) */
	MV_SIZE,       /* byte size: prints like Exchange "1.5 MB (1,572,864 bytes)" */
	MV_DATETIME,   /* seconds since the epoch (UTC) + microseconds */
	MV_TIMESPAN,   /* duration in milliseconds; prints d.hh:mm:ss */
	MV_ARRAY,
	MV_HASH,       /* @{ k = v } */
	MV_OBJECT,     /* PSObject-like record */
	MV_SCRIPTBLOCK /* { ... } */
} mv_kind;

typedef struct mv mv;

/* What makes an MV_ARRAY a .NET list (System.Collections.ArrayList,
 * System.Collections.Generic.List[T]) instead of an Object[]: the type it
 * reports, the element type its items are converted to, and whether Add
 * returns the new item's index (ArrayList) or nothing (List[T]).  A list
 * is changed in place by its methods: like any array value it is one
 * object that every variable holding it shares (a reference type). */
typedef struct mv_list_type {
	const char *full_name;    /* "System.Collections.ArrayList" */
	const char *elem;         /* cast target of the items ("string", "int"), NULL: any object */
	bool add_returns_index;
} mv_list_type;

/* Type description shared by all objects of one kind (static storage). */
typedef struct mv_type_info {
	const char *name;                  /* e.g. "MigrationBatch" */
	const char *const *default_props;  /* NULL-terminated default display set, or NULL = all */
	int prefer;                        /* 0 = PowerShell rule (<=4 props table, else list), 1 = table, 2 = list,
	                                    * 3 = shown as its string form (to_string_prop), like MatchInfo,
	                                    * 4 = a table per value of its TypeName property (Get-Member) */
	/* Property whose value prints as the object's string form ("Identity"), or NULL */
	const char *to_string_prop;
} mv_type_info;

typedef struct mv_prop {
	char *name;
	mv   *val;
} mv_prop;

struct mv {
	int     refs;
	mv_kind kind;
	union {
		bool      b;
		long long i;                    /* MV_INT, MV_SIZE (bytes), MV_TIMESPAN (ms) */
		double    d;
		struct { char *s; size_t len; } str;
		struct { unsigned char *p; size_t len; } bytes;
		struct {                        /* MV_DATETIME: the instant, and when it was typed */
			int64_t sec; int32_t usec;  /* as text without a zone, the wall clock typed */
			bool wall; int64_t wall_sec; /* (timegm of its fields: read it in any zone) */
			bool utc;                   /* ToUniversalTime(): sec is moved by the local offset
			                               so that it shows UTC's wall clock (.NET Kind=Utc) */
		} dt;
		struct {
			mv **items; size_t n, cap;
			const mv_list_type *list;   /* NULL: an array (Object[]) */
		} arr;
		struct {
			mv_prop *props; size_t n, cap;
			const mv_type_info *type; /* MV_OBJECT only; may be NULL (PSCustomObject) */
		} obj;
		struct {
			void *code;               /* owned by the evaluator: parsed AST */
			char *text;               /* source text of the block */
			void (*release)(void *code);
		} sb;
	} u;
};

/* constructors: each returns a new reference */
mv *mv_null(void);
mv *mv_bool(bool b);
mv *mv_int(long long i);
mv *mv_double(double d);
mv *mv_string(const char *s);               /* copies */
mv *mv_string_n(const char *s, size_t n);   /* copies */
mv *mv_string_take(char *s);                /* takes ownership of malloc'd s */
mv *mv_stringf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
mv *mv_bytes(const void *p, size_t n);      /* copies */
mv *mv_bytes_take(unsigned char *p, size_t n);
mv *mv_size(long long bytes);
mv *mv_datetime(int64_t sec, int32_t usec);
mv *mv_datetime_now(void);
/* The instant sec as a UTC date (.NET Kind=Utc): it shows UTC's wall clock,
 * as ToUniversalTime() makes it. */
mv *mv_datetime_utc(int64_t sec, int32_t usec);
mv *mv_timespan_ms(long long ms);
mv *mv_array(void);
/* An empty list of that type. */
mv *mv_list(const mv_list_type *t);
/* The list type a .NET type name names ("System.Collections.ArrayList",
 * "Collections.Generic.List[string]", "List[object]", ...), else NULL. */
const mv_list_type *mv_list_type_named(const char *type);
mv *mv_hash(void);
mv *mv_object(const mv_type_info *type);    /* type may be NULL */
mv *mv_scriptblock(void *code, const char *text, void (*release)(void *));

mv  *mv_ref(mv *v);
void mv_unref(mv *v);

/* arrays */
void   mv_array_push(mv *arr, mv *item);      /* borrows: adds its own ref */
void   mv_array_push_take(mv *arr, mv *item); /* consumes the caller's ref */
size_t mv_count(const mv *v);                 /* PowerShell .Count: null 0, scalar 1, array n */
/* A new plain array holding the same items (to walk a list that the walk
 * may change); other values: a new reference. */
mv    *mv_array_snapshot(mv *v);
mv    *mv_index(const mv *v, long long i);    /* borrowed; negative from the end; NULL if out of range */

/* properties (objects and hashtables); names are case-insensitive */
void mv_set(mv *obj, const char *name, mv *val);       /* borrows val */
void mv_set_take(mv *obj, const char *name, mv *val);  /* consumes val */
void mv_set_str(mv *obj, const char *name, const char *s); /* s NULL -> $null */
void mv_set_int(mv *obj, const char *name, long long i);
void mv_set_bool(mv *obj, const char *name, bool b);
mv  *mv_get(const mv *obj, const char *name);         /* borrowed, NULL when absent */
bool mv_remove(mv *obj, const char *name);            /* false when absent */
const char *mv_get_str(const mv *obj, const char *name); /* borrowed string or NULL */

/* conversions */
bool  mv_truthy(const mv *v);               /* PowerShell truthiness */
/* Caller frees.  Strings as-is, numbers, dates in the session culture
 * (M/d/yyyy h:mm:ss AM), objects via type->to_string_prop, arrays joined by ' '. */
char *mv_to_string(const mv *v);
int   mv_to_ll(const mv *v, long long *out);      /* 0 ok, -1 not convertible */
int   mv_to_double(const mv *v, double *out);
/* Compare like PowerShell -eq/-lt (case-insensitive strings when icase):
 * returns <0, 0, >0; *comparable=false when the values cannot be ordered. */
int   mv_compare(const mv *a, const mv *b, bool icase, bool *comparable);
bool  mv_equal(const mv *a, const mv *b, bool icase);
const char *mv_kind_name(const mv *v);      /* "System.String", "System.Int32", ... for messages */

/* Deep-copy an object/hash (for Select-Object); other kinds return a new ref. */
mv *mv_clone(const mv *v);

/* Parse a date as PowerShell's en-US culture does: "M/d/yyyy[ h:mm[:ss] AM]"
 * or ISO "yyyy-MM-dd[THH:mm[:ss]][Z]" (local time unless Z). 0 ok, -1 not a date. */
int mv_parse_datetime(const char *s, int64_t *sec);
/* The same text as a [DateTime] value that remembers a wall-clock time typed
 * without a zone (u.dt.wall, u.dt.wall_sec), so a cmdlet can read it in a
 * zone of its own (New-MigrationBatch -TimeZone).  NULL when not a date. */
mv *mv_datetime_from_text(const char *s);

#endif
