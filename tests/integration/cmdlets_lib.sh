# cmdlets_lib.sh - helpers for the migration cmdlet tests (cmdlets_*.sh,
# e2e_*.sh).  Source it after tests/lib/dovecot.sh:
#
#   . "$top_srcdir/tests/lib/dovecot.sh"
#   . "$top_srcdir/tests/integration/cmdlets_lib.sh"
#
# Sets MIGSH_HOME to a fresh data directory under $MG_TMP, trusts the test CA
# (SSL_CERT_FILE, or $MS_CA when set), and at exit stops the migration service
# of every data directory it handed out (Stop-MigrationService, then the pid).
#
#   ms 'COMMANDS'              run migsh -c; output in $OUT, stderr in $ERR, status in $RC
#   ms_ok 'COMMANDS' [RE...]   must succeed (status 0, no error record) and match every RE
#   ms_fails 'COMMANDS' RE...  must fail (status != 0) and its error output match every RE
#   ms_err_has RE              $ERR matches RE
#   ms_out_has RE / ms_out_lacks RE
#   ms_new_home                switch MIGSH_HOME to a fresh directory
#   ms_wait 'EXPR' RE [SECONDS]      poll until the output of EXPR matches RE
#   ms_wait_batch NAME RE [SECONDS]   poll Get-MigrationBatch until Status matches RE
#   ms_csv FILE 'line' ...     write a CSV file (lines joined with CRLF unless CSV_LF=1)
#   ms_passwords_absent PASSWORD...   no state file output or log contains them
#   ms_check_service_logs             no service log reports a crash or sanitizer error

[ -n "${MIGSH:-}" ] && [ -x "$MIGSH" ] || mg_skip "migsh is not built (MIGSH=${MIGSH:-unset})"
"$MIGSH" -c '$null' >/dev/null 2>&1 || mg_skip "migsh -c does not run yet"
"$MIGSH" -c 'Get-Command New-MigrationBatch' >/dev/null 2>&1 ||
	"$MIGSH" -c 'Get-MigrationConfig' >/dev/null 2>&1 ||
	mg_skip "the migration cmdlets are not in this migsh yet"

MS_HOMES=""
ms_new_home() {
	MS_HOME_N=$(( ${MS_HOME_N:-0} + 1 ))
	MIGSH_HOME="$MG_TMP/home$MS_HOME_N"
	mkdir -p "$MIGSH_HOME"
	chmod 700 "$MIGSH_HOME"
	export MIGSH_HOME
	MS_HOMES="$MS_HOMES $MIGSH_HOME"
}

# ms_home_pids DIR: the live migration services ("migsh --service") that run
# with MIGSH_HOME=DIR in their environment (the service sets it before its
# exec), whether or not DIR still holds a pid or lock file.  This script's own
# subshells inherit MIGSH_HOME too: they are not services.
ms_home_pids() {
	for _p in $(grep -lzxF -- "MIGSH_HOME=$1" /proc/[0-9]*/environ 2>/dev/null |
	            sed -n 's|^/proc/\([0-9]*\)/environ$|\1|p'); do
		[ "$_p" != "$$" ] || continue
		{ tr '\0' '\n' <"/proc/$_p/cmdline"; } 2>/dev/null | grep -qx -- '--service' && echo "$_p"
	done
	:
}

# ms_stop_home DIR: stop the migration service of DIR (Stop-MigrationService)
# and wait until no process runs for DIR any more.  Returns 1 when one had to
# be killed here because Stop-MigrationService left it running (the status
# of Stop-MigrationService itself is not looked at).
ms_stop_home() {
	_h=$1
	_rc=0
	MIGSH_HOME="$_h" "$MIGSH" -c 'Stop-MigrationService -TimeoutSeconds 10' >/dev/null 2>&1 || :
	_i=0
	while _pids=$(ms_home_pids "$_h"); [ -n "$_pids" ]; do
		_i=$((_i + 1))
		# a process after Stop returned: give it 5 s to exit by itself
		if [ "$_i" -gt 50 ]; then
			_rc=1
			if [ "$_i" -le 100 ]; then kill $_pids 2>/dev/null || :; else kill -9 $_pids 2>/dev/null || :; fi
			[ "$_i" -lt 200 ] || { mg_log "cannot stop process(es) $_pids of $_h"; return 1; }
		fi
		sleep 0.1
	done
	return "$_rc"
}

# rm -rf that tolerates a file appearing while it runs (it retries)
ms_rm_rf() {
	rm -rf "$1" 2>/dev/null || { sleep 0.5; rm -rf "$1"; } || mg_log "warning: cannot remove $1"
}

ms_stop_services() {
	for h in $MS_HOMES; do
		ms_stop_home "$h" || :
	done
}
mg_on_exit ms_stop_services

ms_new_home

# The test CA exists once a Dovecot instance started; MS_CA overrides it.
ms_trust() {
	SSL_CERT_FILE=${MS_CA:-${MG_TEST_CA:-}}
	export SSL_CERT_FILE
}

ms() {
	MS_CMD="$1"
	ms_trust
	set +e
	OUT=$("$MIGSH" -c "$1" 2>"$MG_TMP/ms.err")
	RC=$?
	set -e
	ERR=$(cat "$MG_TMP/ms.err")
}

ms_show() {
	printf '%s\n' "--- command: $MS_CMD" "--- status: $RC" "--- stdout:" "$OUT" "--- stderr:" "$ERR" >&2
}

ms_out_has() {
	printf '%s\n' "$OUT" | grep -Eq -- "$1" || { ms_show; mg_fail "output lacks /$1/"; }
}
ms_out_lacks() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$1"; then ms_show; mg_fail "output has /$1/"; fi
}
ms_err_has() {
	printf '%s\n' "$ERR" | grep -Eq -- "$1" || { ms_show; mg_fail "error output lacks /$1/"; }
}

ms_ok() {
	ms "$1"
	shift
	[ "$RC" -eq 0 ] || { ms_show; mg_fail "command failed (status $RC)"; }
	# warnings are allowed on stderr, errors are not
	if printf '%s\n' "$ERR" | grep -Eq 'CategoryInfo|FullyQualifiedErrorId'; then
		ms_show; mg_fail "command printed an error"
	fi
	for re in "$@"; do ms_out_has "$re"; done
}

ms_fails() {
	ms "$1"
	shift
	[ "$RC" -ne 0 ] || { ms_show; mg_fail "command succeeded but should have failed"; }
	for re in "$@"; do ms_err_has "$re"; done
}

ms_wait() { # 'EXPRESSION' RE [SECONDS]: poll until the output matches RE (whole line)
	_expr=$1 _re=$2 _secs=${3:-120}
	_i=0
	while [ "$_i" -lt "$((_secs * 2))" ]; do
		ms "$_expr"
		if printf '%s\n' "$OUT" | grep -Eqx -- "$_re"; then
			return 0
		fi
		sleep 0.5
		_i=$((_i + 1))
	done
	ms_show
	mg_fail "$_expr did not give /$_re/ within $_secs s (last: $OUT)"
}

ms_wait_batch() { # NAME RE [SECONDS]
	ms_wait "(Get-MigrationBatch -Identity $1).Status" "$2" "${3:-120}"
}

ms_csv() {
	_f=$1
	shift
	: >"$_f"
	for _l in "$@"; do
		if [ "${CSV_LF:-0}" = 1 ]; then printf '%s\n' "$_l" >>"$_f"; else printf '%s\r\n' "$_l" >>"$_f"; fi
	done
}

ms_passwords_absent() {
	for pw in "$@"; do
		if grep -rqF -- "$pw" "$MIGSH_HOME/logs" 2>/dev/null; then
			mg_fail "a password appears in the service log"
		fi
		# reports, per-user logs, notification messages (the user records
		# themselves hold the CSV passwords, mode 0600, by design)
		if [ -d "$MIGSH_HOME/batches" ] &&
		   find "$MIGSH_HOME/batches" -type f ! -name '*.yaml' -exec grep -lF -- "$pw" {} + 2>/dev/null | grep -q .; then
			mg_fail "a password appears in a report or log under $MIGSH_HOME/batches"
		fi
		if printf '%s\n%s\n' "$OUT" "$ERR" | grep -qF -- "$pw"; then
			ms_show; mg_fail "a password appears in the output"
		fi
	done
}

# The migration services of this test logged no crash or sanitizer report
# (ASan/UBSan builds write them to logs/service.log).  Call at the end.
ms_check_service_logs() {
	for h in $MS_HOMES; do
		[ -f "$h/logs/service.log" ] || continue
		if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|Segmentation fault|Assertion' "$h/logs/service.log"; then
			tail -60 "$h/logs/service.log" >&2
			mg_fail "the migration service of $h reported a crash or sanitizer error"
		fi
	done
}
