/* shell_testcmds.h - test-local cmdlet declarations for the shell's unit tests. */
#ifndef MIGSH_SHELL_TESTCMDS_H
#define MIGSH_SHELL_TESTCMDS_H

#include "shell/session.h"

/* Test cmdlets (Test-Echo, New-TestEndpoint, Get-TestItem, Remove-TestItem,
 * Set-TestTypes, Write-TestError, Invoke-TestBlock) followed by the real
 * utility cmdlets (Format-List, Where-Object, ...). */
const mg_cmdlet_source *testcmds_source(void);
/* A session on a fresh temporary data directory with output to out/err
 * (tmpfiles the test reads back). */
mg_session *testcmds_session(FILE *out, FILE *err);
/* Read back everything written to f (caller frees). */
char *testcmds_slurp(FILE *f);

#endif
