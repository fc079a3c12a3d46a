/*
 * test_imap_parse.c - the IMAP response parser: every response shape the
 * client relies on, identical results however the input is split (every
 * byte boundary, and byte by byte), streamed literals, and refusal of
 * malformed or oversized input.
 */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "net/imap_parse.h"
#include "common/mem.h"

/* ---- canonical dump of responses ---- */
static void dump_val(strbuf *sb, const mg_imap_val *v)
{
	switch (v->type) {
	case MG_IMAP_ATOM: strbuf_addf(sb, "A<%s>", v->s); break;
	case MG_IMAP_QUOTED: strbuf_addf(sb, "Q<%s>", v->s); break;
	case MG_IMAP_LITERAL:
		strbuf_addf(sb, "L%s%zu<", v->literal8 ? "8" : "", v->len);
		for (size_t i = 0; i < v->len; i++)
			strbuf_addf(sb, v->s[i] >= 0x20 && v->s[i] < 0x7f ? "%c" : "\\x%02x", (unsigned char)v->s[i]);
		strbuf_adds(sb, ">");
		break;
	case MG_IMAP_STREAMED: strbuf_addf(sb, "S%llu", (unsigned long long)v->size); break;
	case MG_IMAP_NIL: strbuf_adds(sb, "NIL"); break;
	case MG_IMAP_LIST:
		strbuf_adds(sb, "(");
		for (size_t i = 0; i < v->n; i++) {
			if (i) strbuf_adds(sb, " ");
			dump_val(sb, &v->items[i]);
		}
		strbuf_adds(sb, ")");
		break;
	}
}

static void dump(strbuf *sb, const mg_imap_resp *r)
{
	static const char *kinds[] = { "TAGGED", "UNTAGGED", "CONT" };
	strbuf_addf(sb, "%s tag=%s st=%d", kinds[r->kind], r->tag ? r->tag : "-", (int)r->status);
	if (r->has_num)
		strbuf_addf(sb, " num=%llu", (unsigned long long)r->num);
	strbuf_addf(sb, " name=%s", r->name ? r->name : "-");
	if (r->code) {
		strbuf_addf(sb, " code=%s", r->code);
		dump_val(sb, &r->code_args);
	}
	strbuf_addf(sb, " text=[%s] args=", r->text ? r->text : "");
	dump_val(sb, &r->args);
	strbuf_adds(sb, "\n");
}

/* ---- stream hook that records what it sees ---- */
typedef struct rec { strbuf log; bool enabled; } rec;

static int rec_begin(void *arg, const mg_imap_resp *partial, const mg_imap_val *list, uint64_t size)
{
	rec *r = arg;
	if (!r->enabled || !list || list->n == 0 || list->items[list->n - 1].type != MG_IMAP_ATOM ||
	    strncmp(list->items[list->n - 1].s, "BODY[]", 6) != 0)
		return 0;
	strbuf_addf(&r->log, "BEGIN %s num=%llu size=%llu list=", partial->name ? partial->name : "-",
	            (unsigned long long)partial->num, (unsigned long long)size);
	dump_val(&r->log, list);
	strbuf_adds(&r->log, " DATA<");
	return 1;
}

static int rec_data(void *arg, const void *p, size_t n)
{
	rec *r = arg;
	assert_true(n > 0);
	strbuf_add(&r->log, p, n);
	return 0;
}

static int rec_end(void *arg)
{
	rec *r = arg;
	strbuf_adds(&r->log, ">END\n");
	return 0;
}

static const mg_imap_stream_ops rec_ops = { rec_begin, rec_data, rec_end };

/* Feed `in` in pieces given by cuts (ascending offsets); all responses dumped into out. */
static int run(const char *in, size_t len, const size_t *cuts, size_t ncuts, bool stream,
               const mg_imap_parse_limits *lim, strbuf *out, mg_err *err)
{
	mg_imap_parser *p = mg_imap_parser_new(lim);
	rec r = { STRBUF_INIT, stream };
	strbuf_adds(&r.log, "");
	mg_imap_parser_set_stream(p, &rec_ops, &r);
	size_t start = 0;
	int rc = 0;
	for (size_t c = 0; c <= ncuts && rc == 0; c++) {
		size_t end = c < ncuts ? cuts[c] : len;
		while (start < end) {
			size_t used = 0;
			const mg_imap_resp *resp = NULL;
			int k = mg_imap_parser_feed(p, in + start, end - start, &used, &resp, err);
			assert_true(used <= end - start);
			start += used;
			if (k < 0) { rc = -1; break; }
			if (k == 1)
				dump(out, resp);
			else
				assert_int_equal(start, end);   /* need-more consumes everything */
		}
	}
	if (rc == 0)
		assert_false(mg_imap_parser_busy(p));
	strbuf_adds(out, r.log.buf);
	strbuf_free(&r.log);
	mg_imap_parser_free(p);
	return rc;
}

static const char sample[] =
	"* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID AUTH=PLAIN] Dovecot ready.\r\n"
	"* 23 EXISTS\r\n"
	"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n"
	"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\*)] Flags permitted.\r\n"
	"* OK [UIDVALIDITY 1700000000] UIDs valid\r\n"
	"* OK [HIGHESTMODSEQ 715194045007] Highest\r\n"
	"* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n"
	"* LIST (\\Noselect) \".\" {11}\r\nfoo \"bar\" x\r\n"
	"* LIST () NIL INBOX\r\n"
	"* NAMESPACE ((\"\" \"/\")(\"Other Users/\" \"/\")) NIL NIL\r\n"
	"* 1 FETCH (UID 7 FLAGS (\\Seen) INTERNALDATE \" 2-Jan-2020 12:30:00 +0100\" RFC822.SIZE 12 "
	"MODSEQ (5) BODY[] {12}\r\nHello\r\nWorld)\r\n"
	"* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] {9}\r\nSubj: x\r\n UID 8)\r\n"
	"* 3 FETCH (UID 9 BINARY[] ~{3}\r\na\0b)\r\n"
	"* 4 FETCH (UID 10 BODY[] {0}\r\n)\r\n"
	"* 5 FETCH (UID 11 BODY[] {4+}\r\n{3}\r)\r\n"
	"* 6 FETCH (BODY[]<0> {2}\r\nhi UID 12)\r\n"
	"* ID (\"name\" \"Dovecot\" \"quote\" \"a \\\"q\\\" \\\\ b\" \"utf8\" \"K\xc3\xb6ln\")\r\n"
	"* STATUS \"Sent Items\" (MESSAGES 3 UIDNEXT 44 UIDVALIDITY 1 UNSEEN 0 HIGHESTMODSEQ 9)\r\n"
	"+ go ahead\r\n"
	"+\r\n"
	"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"
	"M1 OK [APPENDUID 1700000000 5] Append completed.\r\n"
	"M2 NO [ALREADYEXISTS] Mailbox exists\r\n"
	"M3 BAD Error in IMAP command\r\n"
	"M4 OK\r\n"
	"M5 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs).\r\n"
	"M6 NO [BADCHARSET (UTF-8 US-ASCII)] unsupported\r\n"
	"* OK [ALERT] System going down at 5pm [really]\r\n"
	"* OK [REFERRAL imap://user;AUTH=*@srv/] see there\r\n"
	"* SEARCH 1 2 3\r\n"
	"* SEARCH\r\n"
	"* ENABLED UTF8=ACCEPT\r\n"
	"* 12 EXPUNGE\r\n"
	/* QRESYNC (RFC 7162): expunged uids of an EXAMINE (QRESYNC ...), and while open */
	"* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n"
	"* VANISHED 405,407,410,425\r\n"
	"* ENABLED QRESYNC\r\n"
	"* OK [COPYUID 1700000000 3:5,9 101:104] Moved UIDs.\r\n"
	"* BYE Logging out\r\n";

static const char expected_sample_start[] =
	"UNTAGGED tag=- st=1 name=OK code=CAPABILITY(A<IMAP4rev1> A<LITERAL+> A<SASL-IR> A<ID> A<AUTH=PLAIN>) "
	"text=[Dovecot ready.] args=()\n"
	"UNTAGGED tag=- st=0 num=23 name=EXISTS text=[] args=()\n"
	"UNTAGGED tag=- st=0 name=FLAGS text=[] args=((A<\\Answered> A<\\Flagged> A<\\Deleted> A<\\Seen> A<\\Draft> "
	"A<$Forwarded>))\n"
	"UNTAGGED tag=- st=1 name=OK code=PERMANENTFLAGS((A<\\Answered> A<\\Flagged> A<\\*>)) text=[Flags permitted.] args=()\n";

static void test_shapes(void **st)
{
	(void)st;
	strbuf out = STRBUF_INIT;
	mg_err e = { 0 };
	assert_int_equal(run(sample, sizeof sample - 1, NULL, 0, false, NULL, &out, &e), 0);
	assert_memory_equal(out.buf, expected_sample_start, strlen(expected_sample_start));
	const char *want[] = {
		"name=LIST text=[] args=((A<\\HasNoChildren> A<\\Sent>) Q</> Q<Sent Items>)",
		"name=LIST text=[] args=((A<\\Noselect>) Q<.> L11<foo \"bar\" x>)",
		"name=LIST text=[] args=(() NIL A<INBOX>)",
		"name=NAMESPACE text=[] args=(((Q<> Q</>) (Q<Other Users/> Q</>)) NIL NIL)",
		"num=1 name=FETCH text=[] args=((A<UID> A<7> A<FLAGS> (A<\\Seen>) A<INTERNALDATE> "
		"Q< 2-Jan-2020 12:30:00 +0100> A<RFC822.SIZE> A<12> A<MODSEQ> (A<5>) A<BODY[]> L12<Hello\\x0d\\x0aWorld>))",
		"num=2 name=FETCH text=[] args=((A<BODY[HEADER.FIELDS (SUBJECT FROM)]> L9<Subj: x\\x0d\\x0a> A<UID> A<8>))",
		"num=3 name=FETCH text=[] args=((A<UID> A<9> A<BINARY[]> L83<a\\x00b>))",
		"num=4 name=FETCH text=[] args=((A<UID> A<10> A<BODY[]> L0<>))",
		"num=5 name=FETCH text=[] args=((A<UID> A<11> A<BODY[]> L4<{3}\\x0d>))",
		"num=6 name=FETCH text=[] args=((A<BODY[]<0>> L2<hi> A<UID> A<12>))",
		"name=ID text=[] args=((Q<name> Q<Dovecot> Q<quote> Q<a \"q\" \\ b> Q<utf8> Q<K\xc3\xb6ln>))",
		"name=STATUS text=[] args=(Q<Sent Items> (A<MESSAGES> A<3> A<UIDNEXT> A<44> A<UIDVALIDITY> A<1> "
		"A<UNSEEN> A<0> A<HIGHESTMODSEQ> A<9>))",
		"CONT tag=- st=0 name=- text=[go ahead] args=()",
		"CONT tag=- st=0 name=- text=[] args=()",
		"CONT tag=- st=0 name=- text=[PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+]",
		"TAGGED tag=M1 st=1 name=OK code=APPENDUID(A<1700000000> A<5>) text=[Append completed.]",
		"TAGGED tag=M2 st=2 name=NO code=ALREADYEXISTS() text=[Mailbox exists]",
		"TAGGED tag=M3 st=3 name=BAD text=[Error in IMAP command]",
		"TAGGED tag=M4 st=1 name=OK text=[]",
		"TAGGED tag=M5 st=1 name=OK code=READ-ONLY() text=[Examine completed (0.001 + 0.000 secs).]",
		"TAGGED tag=M6 st=2 name=NO code=BADCHARSET((A<UTF-8> A<US-ASCII>)) text=[unsupported]",
		"name=OK code=ALERT() text=[System going down at 5pm [really]]",
		"name=OK code=REFERRAL(A<imap://user;AUTH=*@srv/>) text=[see there]",
		"name=SEARCH text=[] args=(A<1> A<2> A<3>)",
		"name=SEARCH text=[] args=()",
		"name=ENABLED text=[] args=(A<UTF8=ACCEPT>)",
		"num=12 name=EXPUNGE",
		"name=VANISHED text=[] args=((A<EARLIER>) A<41,43:116,118,120:211,214:540>)",
		"name=VANISHED text=[] args=(A<405,407,410,425>)",
		"name=ENABLED text=[] args=(A<QRESYNC>)",
		"name=OK code=COPYUID(A<1700000000> A<3:5,9> A<101:104>) text=[Moved UIDs.]",
		"UNTAGGED tag=- st=5 name=BYE text=[Logging out]",
		NULL
	};
	for (int i = 0; want[i]; i++) {
		if (!strstr(out.buf, want[i]))
			fail_msg("missing in parse output: %s\n--- output ---\n%s", want[i], out.buf);
	}
	strbuf_free(&out);
}

/* The same responses whichever way the bytes arrive. */
static void test_split_every_boundary(void **st)
{
	(void)st;
	size_t len = sizeof sample - 1;
	for (int stream = 0; stream < 2; stream++) {
		mg_imap_parse_limits lim = { .stream_min = 1 };
		strbuf ref = STRBUF_INIT;
		assert_int_equal(run(sample, len, NULL, 0, stream, &lim, &ref, NULL), 0);
		if (stream)
			assert_non_null(strstr(ref.buf, "BEGIN FETCH num=1 size=12"));
		for (size_t k = 0; k <= len; k++) {
			strbuf got = STRBUF_INIT;
			size_t cut = k;
			assert_int_equal(run(sample, len, &cut, 1, stream, &lim, &got, NULL), 0);
			if (strcmp(got.buf, ref.buf) != 0)
				fail_msg("split at %zu (stream=%d) differs:\n%s\n--- vs ---\n%s", k, stream, got.buf, ref.buf);
			strbuf_free(&got);
		}
		/* byte by byte */
		size_t *cuts = xmalloc(len * sizeof *cuts);
		for (size_t i = 0; i < len; i++)
			cuts[i] = i + 1;
		strbuf got = STRBUF_INIT;
		assert_int_equal(run(sample, len, cuts, len, stream, &lim, &got, NULL), 0);
		assert_string_equal(got.buf, ref.buf);
		strbuf_free(&got);
		free(cuts);
		strbuf_free(&ref);
	}
}

/* Body literals go to the stream hook with the enclosing FETCH list, not into memory. */
static void test_streaming(void **st)
{
	(void)st;
	const char in[] = "* 1 FETCH (UID 7 RFC822.SIZE 12 BODY[] {12}\r\nHello\r\nWorld)\r\n"
	                  "* 2 FETCH (UID 8 BODY[] {0}\r\n)\r\n"
	                  "* 3 FETCH (FLAGS (\\Seen) UID 9)\r\n";
	mg_imap_parse_limits lim = { .max_buffered = 4, .stream_min = 1 };   /* bodies could not be buffered */
	strbuf out = STRBUF_INIT;
	mg_err e = { 0 };
	assert_int_equal(run(in, sizeof in - 1, NULL, 0, true, &lim, &out, &e), 0);
	assert_non_null(strstr(out.buf, "args=((A<UID> A<7> A<RFC822.SIZE> A<12> A<BODY[]> S12))"));
	assert_non_null(strstr(out.buf, "BEGIN FETCH num=1 size=12 list=(A<UID> A<7> A<RFC822.SIZE> A<12> A<BODY[]>) "
	                                "DATA<Hello\r\nWorld>END\n"));
	assert_non_null(strstr(out.buf, "args=((A<UID> A<8> A<BODY[]> L0<>))"));   /* below stream_min */
	strbuf_free(&out);
	/* without the hook the same body exceeds max_buffered */
	strbuf o2 = STRBUF_INIT;
	assert_int_equal(run(in, sizeof in - 1, NULL, 0, false, &lim, &o2, &e), -1);
	assert_string_equal(mg_err_category_name(e.category), "LimitsExceeded");
	strbuf_free(&o2);
}

/* Many tiny literals in one response stay linear even with a stream hook set. */
static void test_many_small_literals(void **st)
{
	(void)st;
	strbuf in = STRBUF_INIT;
	strbuf_adds(&in, "* SEARCH");
	for (int i = 0; i < 40000; i++)
		strbuf_adds(&in, " {1}\r\nx");
	strbuf_adds(&in, "\r\n");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	strbuf out = STRBUF_INIT;
	assert_int_equal(run(in.buf, in.len, NULL, 0, true, NULL, &out, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double dt = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(dt < 2.0);
	assert_non_null(strstr(out.buf, "L1<x> L1<x>"));
	strbuf_free(&out);
	strbuf_free(&in);
}

static void expect_bad(const char *in, size_t len, const mg_imap_parse_limits *lim, const char *category)
{
	strbuf out = STRBUF_INIT;
	mg_err e = { 0 };
	if (run(in, len, NULL, 0, false, lim, &out, &e) != -1)
		fail_msg("accepted malformed input: %.*s", (int)len, in);
	assert_string_equal(mg_err_category_name(e.category), category);
	assert_true(e.msg[0] != 0);
	strbuf_free(&out);
}
#define BAD(s, cat) expect_bad(s, sizeof(s) - 1, NULL, cat)

/* A NUL outside a literal (RFC 3501 forbids it; sloppy servers send one) is
 * not fatal: the line parses, the byte is marked, no string is cut short. */
static void test_nul_tolerated(void **st)
{
	(void)st;
	static const char in[] = "* 3 FETCH (UID 5 FLAGS (\\Seen fo\0o))\r\n"
	                         "* LIST () \"/\" \"Ab\0cd\"\r\n"
	                         "* LIST () \"/\" {5}\r\nxy\0zw\r\n";
	mg_imap_parser *p = mg_imap_parser_new(NULL);
	size_t off = 0, used;
	const mg_imap_resp *r = NULL;
	mg_err e = { 0 };
	assert_int_equal(mg_imap_parser_feed(p, in + off, sizeof in - 1 - off, &used, &r, &e), 1);
	off += used;
	const mg_imap_val *fl = &r->args.items[0].items[3];
	assert_int_equal(fl->n, 2);
	assert_string_equal(fl->items[0].s, "\\Seen");
	assert_int_equal(fl->items[1].len, 4);
	assert_true(mg_imap_has_nul_mark(fl->items[1].s, fl->items[1].len));
	assert_int_equal(mg_imap_parser_feed(p, in + off, sizeof in - 1 - off, &used, &r, &e), 1);
	off += used;
	assert_int_equal(r->args.items[2].len, 5);           /* "Ab?cd", not "Ab" */
	assert_int_equal(strlen(r->args.items[2].s), 5);
	assert_true(mg_imap_has_nul_mark(r->args.items[2].s, 5));
	assert_int_equal(mg_imap_parser_feed(p, in + off, sizeof in - 1 - off, &used, &r, &e), 1);
	off += used;
	assert_int_equal(r->args.items[2].len, 5);           /* a literal keeps its NUL as is */
	assert_int_equal(off, sizeof in - 1);
	mg_imap_parser_free(p);
}

static void test_malformed(void **st)
{
	(void)st;
	BAD("* OK [CAPABILITY IMAP4rev1\r\n", "ProtocolError");
	BAD("* LIST (\\Noselect \"/\" INBOX\r\n", "ProtocolError");
	BAD("* ID (\"a\\x\")\r\n", "ProtocolError");
	BAD("* ID (\"unterminated)\r\n", "ProtocolError");
	BAD("* OK hello\n", "ProtocolError");
	BAD("A+1 OK x\r\n", "ProtocolError");
	BAD("M1 FOO bar\r\n", "ProtocolError");
	BAD("M1 PREAUTH x\r\n", "ProtocolError");
	BAD("*OK\r\n", "ProtocolError");
	BAD("\r\n", "ProtocolError");
	BAD("* \r\n", "ProtocolError");
	BAD("* 1 FETCH (UID 1))\r\n", "ProtocolError");
	BAD("* FLAGS (\\Seen)x\r\n", "ProtocolError");
	BAD("* 99999999999999999999999 EXISTS\r\n", "ProtocolError");
	BAD("* 1 FETCH (BODY[] {99999999999999999999}\r\n", "LimitsExceeded");
	BAD("* 1 FETCH (BODY[] {999999999999}\r\n", "LimitsExceeded");       /* > 2 GiB default */
	BAD("* 1 FETCH (BODY[HEADER \r\n", "ProtocolError");

	/* a 10 MB line without CRLF is refused as soon as the limit is passed */
	mg_imap_parse_limits lim = { .max_line = 64 };
	char longline[200];
	memset(longline, 'x', sizeof longline);
	memcpy(longline, "* OK ", 5);
	expect_bad(longline, sizeof longline, &lim, "LimitsExceeded");
	/* the limit counts the whole response, across literals */
	const char multi[] = "* LIST () \"/\" {3}\r\nabc"
	                     "                                                              \r\n";
	expect_bad(multi, sizeof multi - 1, &lim, "LimitsExceeded");
	/* literal above max_literal */
	mg_imap_parse_limits lim2 = { .max_literal = 1000 };
	const char big[] = "* 1 FETCH (UID 1 BODY[] {1001}\r\n";
	expect_bad(big, sizeof big - 1, &lim2, "LimitsExceeded");

	/* after a failure the parser refuses to go on */
	mg_imap_parser *p = mg_imap_parser_new(NULL);
	size_t used;
	const mg_imap_resp *r;
	assert_int_equal(mg_imap_parser_feed(p, "bad\n", 4, &used, &r, NULL), -1);
	assert_int_equal(mg_imap_parser_feed(p, "* OK x\r\n", 8, &used, &r, NULL), -1);
	mg_imap_parser_free(p);
}

/* Leftover bytes after a response are not consumed; the caller feeds them again. */
static void test_pipelined_input(void **st)
{
	(void)st;
	mg_imap_parser *p = mg_imap_parser_new(NULL);
	const char in[] = "M1 OK a\r\nM2 OK b\r\n* 3 EXISTS";
	size_t used;
	const mg_imap_resp *r;
	assert_int_equal(mg_imap_parser_feed(p, in, strlen(in), &used, &r, NULL), 1);
	assert_int_equal(used, 9);
	assert_string_equal(r->tag, "M1");
	assert_int_equal(mg_imap_parser_feed(p, in + 9, strlen(in) - 9, &used, &r, NULL), 1);
	assert_string_equal(r->tag, "M2");
	assert_string_equal(r->text, "b");
	assert_int_equal(mg_imap_parser_feed(p, in + 18, strlen(in) - 18, &used, &r, NULL), 0);
	assert_true(mg_imap_parser_busy(p));
	assert_int_equal(mg_imap_parser_feed(p, "\r\n", 2, &used, &r, NULL), 1);
	assert_int_equal(r->num, 3);
	mg_imap_parser_free(p);

	/* value helpers */
	mg_imap_val v = { .type = MG_IMAP_ATOM, .s = "18446744073709551615", .len = 20 };
	uint64_t x;
	assert_int_equal(mg_imap_val_u64(&v, &x), 0);
	assert_true(x == UINT64_MAX);
	v.s = "18446744073709551616";
	assert_int_equal(mg_imap_val_u64(&v, &x), -1);
	v.s = "12a"; v.len = 3;
	assert_int_equal(mg_imap_val_u64(&v, &x), -1);
	assert_true(mg_imap_val_is(&(mg_imap_val){ .type = MG_IMAP_ATOM, .s = "uid", .len = 3 }, "UID"));
	assert_null(mg_imap_val_str(&(mg_imap_val){ .type = MG_IMAP_NIL }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_split_every_boundary),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_many_small_literals),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul_tolerated),
		cmocka_unit_test(test_pipelined_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
