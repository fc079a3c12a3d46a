/* test_error_summary.c - the ErrorSummary a failed user shows: one sentence per
 * class of error, naming the server (source or target) when known, never
 * cut in the middle of a word. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/service_internal.h"

static void has(mg_err_cat cat, const char *id, int side, const char *msg, const char *want, const char *not)
{
	mg_err e;
	mg_err_clear(&e);
	mg_err_set(&e, cat, id, "%s", msg);
	e.side = side;
	char *s = mg_worker_error_summary(&e);
	if (!strstr(s, want))
		fail_msg("%s/%s: summary '%s' lacks '%s'", mg_err_category_name(cat), id, s, want);
	if (not && strstr(s, not))
		fail_msg("%s/%s: summary '%s' has '%s'", mg_err_category_name(cat), id, s, not);
	free(s);
}

static void test_classes(void **st)
{
	(void)st;
	has(MGC_LIMIT, "BadItemLimitExceeded", 0, "12 bad items exceed the BadItemLimit of 10",
	    "Too many bad items: more than the BadItemLimit", "large");
	has(MGC_LIMIT, "LargeItemLimitExceeded", 0, "3 large items", "Too many large items: more than the LargeItemLimit", "bad");
	has(MGC_AUTH, "AuthenticationFailed", MG_SIDE_TARGET, "target h:993: LOGIN failed",
	    "the target server refused the login", "source");
	has(MGC_AUTH, "AuthenticationFailed", MG_SIDE_SOURCE, "source h:993: LOGIN failed",
	    "the source server refused the UserName/Password", "target");
	has(MGC_CONNECTION, "ConnectionClosed", 0, "folder 'INBOX': h closed the connection unexpectedly",
	    "The connection was lost during the transfer", "could not be reached");
	has(MGC_READ, "TlsReadFailed", 0, "TLS error reading from h", "lost during the transfer", "could not be reached");
	has(MGC_CONNECTION, "ConnectionRefused", MG_SIDE_SOURCE, "source h:993: connection refused",
	    "The source server could not be reached", "lost");
	has(MGC_TIMEOUT, "ReadTimeout", 0, "no data from h", "stopped answering", NULL);
	has(MGC_SECURITY, "CertificateExpired", MG_SIDE_SOURCE, "certificate has expired", "source server's TLS certificate", NULL);
	has(MGC_WRITE, "MaildirWrite", 0, "cannot write", "Writing the local copy", NULL);
}

static void test_clipped_at_a_word(void **st)
{
	(void)st;
	char msg[600];
	strcpy(msg, "the server said");
	while (strlen(msg) < 500)
		strcat(msg, " wonderful");
	mg_err e;
	mg_err_clear(&e);
	mg_err_set(&e, MGC_INVALIDOP, "CommandRefused", "%s", msg);
	char *s = mg_worker_error_summary(&e);
	size_t n = strlen(s);
	assert_true(n < 300);
	assert_string_equal(s + n - 13, " wonderful...");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_clipped_at_a_word),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
