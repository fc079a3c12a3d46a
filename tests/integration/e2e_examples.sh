#!/bin/sh
# e2e_examples.sh - issue 7: every example in the cmdlet declarations (the
# one source of Get-Help and the man pages) really works.  The examples are
# dumped by tests/examples_dump and run, each in a fresh copy of a prepared
# data directory, against a real Dovecot:
#   New-MigrationEndpoint examples      -> no endpoints yet
#   New-MigrationBatch examples         -> endpoints IMAPEndpoint, IMAPEndpoint1
#   every other example                 -> those endpoints plus batch IMAPBatch1
#                                          (terrya@contoso.edu, kevinm@contoso.edu), synced
# Substitutions: imap.contoso.com -> localhost; -Port 993 / 143 / 9993 -> the
# test server's TLS port / plain port / a closed port; Master-Pass-456 -> the
# test master password; `migsh -c` -> the built binary; a leading crontab
# schedule is dropped.  Windows paths are left alone: migsh maps
# C:\...\IMAPmigration_1.csv to the file of that name in the current directory,
# which holds the example CSV files.  Examples flagged FAILS must fail with
# their expected text; NOTEST ones (interactive) are only counted.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

DUMP="$top_builddir/tests/examples_dump"
[ -x "$DUMP" ] || mg_skip "tests/examples_dump is not built"
command -v timeout >/dev/null 2>&1 || mg_skip "timeout(1) is missing"

mg_dovecot_start SRC --users "terrya kevinm annb"
mg_dovecot_load_corpus SRC --seed 11 --messages 6 --quiet
ms_trust
CLOSED=$(mg_free_ports 1)
PW=$MG_TEST_PASSWORD

EX=$MG_TMP/examples
mkdir -p "$EX" "$MG_TMP/dump"
ms_csv "$EX/IMAPmigration_1.csv" 'EmailAddress,UserName,Password' \
	"terrya@contoso.edu,terrya,$PW" "kevinm@contoso.edu,kevinm,$PW"
ms_csv "$EX/IMAPmigration_2.csv" 'EmailAddress,UserName,Password' "annb@contoso.edu,annb,$PW"
ms_csv "$EX/missing-password-column.csv" 'EmailAddress,UserName' 'terrya@contoso.edu,terrya'

"$DUMP" "$MG_TMP/dump" || mg_fail "the cmdlet declarations are incomplete (see above)"

# --- fixtures
ms_new_home
H_EMPTY=$MIGSH_HOME
ms_ok 'Get-MigrationConfig' 'MaxNumberOfBatches'

ms_new_home
H_EP=$MIGSH_HOME
ms_ok "New-MigrationEndpoint -IMAP -Name IMAPEndpoint -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl" IMAPEndpoint
ms_ok "New-MigrationEndpoint -IMAP -Name IMAPEndpoint1 -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl" IMAPEndpoint1

ms_new_home
H_FULL=$MIGSH_HOME
cp -a "$H_EP/." "$H_FULL/"
ms_ok "New-MigrationBatch -Name IMAPBatch1 -SourceEndpoint IMAPEndpoint -CSVFile '$EX/IMAPmigration_1.csv' -AutoStart" IMAPBatch1
ms_wait_batch IMAPBatch1 'Synced' 180
ms_ok 'Stop-MigrationService'

# --- run every example
total=0 passed=0 notest=0 failed=0
: >"$MG_TMP/failures"
while IFS="$(printf '\t')" read -r num cmdlet flags expect; do
	total=$((total + 1))
	case ",$flags," in *,notest,*) notest=$((notest + 1)); continue ;; esac
	code=$(sed -e 's|imap\.contoso\.com|localhost|g' \
	           -e "s|-Port 993 |-Port $SRC_IMAPS_PORT |g; s|-Port 993\$|-Port $SRC_IMAPS_PORT|" \
	           -e "s|-Port 143 |-Port $SRC_IMAP_PORT |g; s|-Port 143\$|-Port $SRC_IMAP_PORT|" \
	           -e "s|-Port 9993 |-Port $CLOSED |g; s|-Port 9993\$|-Port $CLOSED|" \
	           -e "s|Master-Pass-456|$MG_TEST_MASTER_PASSWORD|g" \
	           -e 's|migsh -c|"$MIGSH" -c|g' \
	           -E -e 's/^@reboot +//' \
	           -e 's/^[-0-9*\/,]+ +[-0-9*\/,]+ +[-0-9*\/,]+ +[-0-9*\/,]+ +[-0-9*\/,]+ +//' \
	           "$MG_TMP/dump/$num.code")
	case "$cmdlet" in
	New-MigrationEndpoint) base=$H_EMPTY ;;
	New-MigrationBatch) base=$H_EP ;;
	*) base=$H_FULL ;;
	esac
	run_home=$MG_TMP/run-$num
	ms_rm_rf "$run_home"
	cp -a "$base" "$run_home"
	rm -f "$run_home/service.pid"
	MS_HOMES="$MS_HOMES $run_home"
	set +e
	case ",$flags," in
	*,bash,*)
		(cd "$EX" && HOME="$EX" MIGSH_HOME="$run_home" MIGSH="$MIGSH" timeout 300 sh -c "$code") \
			>"$MG_TMP/ex.out" 2>"$MG_TMP/ex.err" </dev/null ;;
	*)
		(cd "$EX" && HOME="$EX" MIGSH_HOME="$run_home" timeout 300 "$MIGSH" -c "$code") \
			>"$MG_TMP/ex.out" 2>"$MG_TMP/ex.err" </dev/null ;;
	esac
	rc=$?
	set -e
	# stop the service this example may have started and wait for it to be
	# gone: it must not write into run_home while that is removed below
	why=""
	ms_stop_home "$run_home" || why="Stop-MigrationService did not stop the migration service"
	case ",$flags," in
	*,fails,*)
		[ "$rc" -ne 0 ] || why="${why:+$why; }should have failed but exited 0"
		if [ "$expect" != "-" ] && ! cat "$MG_TMP/ex.out" "$MG_TMP/ex.err" | grep -qF -- "$expect"; then
			why="${why:+$why; }error lacks '$expect'"
		fi ;;
	*)
		[ "$rc" -eq 0 ] || why="${why:+$why; }exited $rc"
		if grep -Eq 'CategoryInfo|FullyQualifiedErrorId' "$MG_TMP/ex.err"; then
			why="${why:+$why; }printed an error"
		fi
		if [ "$expect" != "-" ] && ! grep -qF -- "$expect" "$MG_TMP/ex.out"; then
			why="${why:+$why; }output lacks '$expect'"
		fi ;;
	esac
	if [ -f "$run_home/logs/service.log" ] &&
	   grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|Segmentation fault' "$run_home/logs/service.log"; then
		why="${why:+$why; }the migration service crashed (see below)"
		cat "$run_home/logs/service.log" >>"$MG_TMP/ex.err"
	fi
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		ms_rm_rf "$run_home"
	else
		failed=$((failed + 1))
		{
			printf '=== %s example %s: %s\n--- code: %s\n--- stdout:\n' "$cmdlet" "$num" "$why" "$code"
			head -c 3000 "$MG_TMP/ex.out"
			printf '\n--- stderr:\n'
			head -c 3000 "$MG_TMP/ex.err"
			printf '\n'
		} >>"$MG_TMP/failures"
	fi
done <"$MG_TMP/dump/index"

mg_log "examples: $total in all, $passed passed, $failed failed, $notest not run (interactive)"
if [ "$failed" -ne 0 ]; then
	cat "$MG_TMP/failures" >&2
	mg_fail "$failed example(s) did not work"
fi
ms_check_service_logs
echo "e2e_examples: ok ($passed examples)"
