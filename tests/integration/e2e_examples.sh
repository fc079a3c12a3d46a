#!/bin/sh
# e2e_examples.sh - issue 7: every example in the cmdlet declarations (the
# one source of Get-Help and the man pages) really works.  The examples are
# dumped by tests/examples_dump and run, each in a fresh copy of a prepared
# data directory and in a fresh copy of a working directory (also $HOME) that
# holds the example CSV files, against a real Dovecot (SRC; TGT is the target
# server of endpoint NewServer):
#   New-MigrationEndpoint examples      -> no endpoints yet
#   New-MigrationBatch examples         -> endpoints IMAPEndpoint, IMAPEndpoint1 (source)
#                                          and NewServer (target, master-user credentials)
#   ForEach-Object, Out-Null, Start-Sleep examples
#                                       -> IMAPEndpoint, IMAPEndpoint1 and two batches
#                                          never started (Created): IMAPBatch1
#                                          (terrya, kevinm) and IMAPBatch2 (annb)
#   every other example                 -> IMAPEndpoint, IMAPEndpoint1 and batch
#                                          IMAPBatch1 (terrya@contoso.edu,
#                                          kevinm@contoso.edu), synced
# Substitutions: imap.contoso.com -> localhost; -Port 993 / 143 / 9993 -> the
# test server's TLS port / plain port / a closed port; Master-Pass-456 -> the
# test master password; `migsh -c` -> the built binary; /var/tmp -> the
# working directory; Start-Sleep -Seconds 60 -> 1 second; a leading crontab
# schedule is dropped.  Windows paths are left alone: migsh maps
# C:\...\IMAPmigration_1.csv to the file of that name in the current directory.
# Examples flagged FAILS must fail with their expected text, the others must
# succeed without an error record and print their expected text.  TTY ones
# (they ask) run on a pseudo terminal (script(1)); the test waits for each
# prompt, then answers Y to a confirmation and a test password to any other
# question; they must have asked at least once.
# After each example, checks of its effect, each applying to every example
# of its shape (see ex_checks; a check that applies to no example fails):
# Remove-Migration* NAME removed NAME (with -WhatIf: kept it); a file written
# with Export-Csv -Path / Out-File / Set-Content exists and is not empty, a
# byte-stream copy is identical; Start-MigrationService left the service
# running; a batch made with -TargetEndpoint has that target; ... | Out-Null
# printed nothing; ForEach-Object { Start-MigrationBatch } left no batch
# Created; a password typed at Read-Host -AsSecureString was not echoed.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

DUMP="$top_builddir/tests/examples_dump"
[ -x "$DUMP" ] || mg_skip "tests/examples_dump is not built"
command -v timeout >/dev/null 2>&1 || mg_skip "timeout(1) is missing"
# needed by examples (not a skip: that would hide every example)
for tool in script jq; do
	command -v "$tool" >/dev/null 2>&1 ||
		mg_fail "$tool is missing: install the packages of tests/lib/packages.txt (tests/lib/install-deps.sh)"
done

mg_dovecot_start SRC --users "terrya kevinm annb"
mg_dovecot_load_corpus SRC --seed 11 --messages 6 --quiet
mg_dovecot_start TGT --users "terrya@contoso.edu kevinm@contoso.edu"
ms_trust
CLOSED=$(mg_free_ports 1)
PW=$MG_TEST_PASSWORD

EX=$MG_TMP/examples
mkdir -p "$EX" "$MG_TMP/dump"
ms_csv "$EX/IMAPmigration_1.csv" 'EmailAddress,UserName,Password' \
	"terrya@contoso.edu,terrya,$PW" "kevinm@contoso.edu,kevinm,$PW"
ms_csv "$EX/IMAPmigration_2.csv" 'EmailAddress,UserName,Password' "annb@contoso.edu,annb,$PW"
ms_csv "$EX/missing-password-column.csv" 'EmailAddress,UserName' 'terrya@contoso.edu,terrya'
# a.csv for the byte-for-byte copy: a BOM, CRLF, a Latin-1 byte, no final line end
printf '\357\273\277EmailAddress,UserName\r\nj\374rgen@contoso.edu,jurgen' >"$EX/a.csv"
TTY_SECRET='Typed-Secret-789'

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

ms_new_home
H_CREATED=$MIGSH_HOME
cp -a "$H_EP/." "$H_CREATED/"
ms_ok "New-MigrationBatch -Name IMAPBatch1 -SourceEndpoint IMAPEndpoint -CSVFile '$EX/IMAPmigration_1.csv'" IMAPBatch1
ms_ok "New-MigrationBatch -Name IMAPBatch2 -SourceEndpoint IMAPEndpoint -CSVFile '$EX/IMAPmigration_2.csv'" IMAPBatch2
ms_ok '(Get-MigrationBatch | Where-Object { $_.Status -eq "Created" }).Count' '^2$'
ms_stop_home "$H_CREATED" || :

# the target server, for New-MigrationBatch only (after the copies above)
MIGSH_HOME=$H_EP
ms_ok "New-MigrationEndpoint -IMAP -Name NewServer -RemoteServer localhost -Port $TGT_IMAPS_PORT -Security Ssl -Credentials mailadmin,'$MG_TEST_MASTER_PASSWORD'" NewServer
ms_stop_home "$H_EP" || :

# run_tty: run "$code" like the default case below, but on a pseudo terminal
# (script(1)); each time the output stops at a prompt (it ends in ": ") type
# the answer: Y at a confirmation, $TTY_SECRET at any other question.  Sets rc
# and asked (the number of prompts answered).  All output is in ex.out.
run_tty() {
	_in=$MG_TMP/tty.in _done=$MG_TMP/tty.rc
	rm -f "$_in" "$_done"
	mkfifo "$_in"
	(cd "$W" && HOME="$W" MIGSH_HOME="$run_home" MIGSH="$MIGSH" MG_EX_CODE="$code" SHELL=/bin/sh \
		timeout 300 script -qec '"$MIGSH" -c "$MG_EX_CODE"' /dev/null; echo $? >"$_done") \
		<"$_in" >"$MG_TMP/ex.out" 2>"$MG_TMP/ex.err" &
	_pid=$!
	exec 9>"$_in"
	asked=0 _at=-1
	while [ ! -s "$_done" ]; do
		_size=$(wc -c <"$MG_TMP/ex.out")
		if [ "$_size" -ne "$_at" ] && [ "$(tail -c 2 "$MG_TMP/ex.out")" = ": " ]; then
			_answer=$TTY_SECRET
			tail -n 1 "$MG_TMP/ex.out" | grep -qF '[Y] Yes' && _answer=Y
			# (in a subshell that ignores SIGPIPE, should script(1) be gone)
			(trap '' PIPE; printf '%s\r' "$_answer" >&9) 2>/dev/null
			asked=$((asked + 1)) _at=$_size
		fi
		sleep 0.1
	done
	exec 9>&-
	wait "$_pid" || :
	rc=$(cat "$_done")
}

# q 'COMMAND': run COMMAND on the example's data and working directory
q() { (cd "$W" && HOME="$W" MIGSH_HOME="$run_home" "$MIGSH" -c "$1") 2>&1 </dev/null; }
bad() { why="${why:+$why; }$*"; }

# ex_checks: the checks of the example's effect (see the top); each sets
# used_NAME when it applies, and at the end every one must have applied.
CHECKS="remove whatif file bytes service target outnull foreach secret"
ex_checks() {
	case ",$flags," in *,fails,*) return 0 ;; esac
	case "$code" in
	Remove-Migration*)
		_kind=$(printf '%s\n' "$code" | sed -E 's/^Remove-Migration(Batch|Endpoint|User) .*/\1/')
		_name=$(printf '%s\n' "$code" | sed -E 's/^Remove-Migration[A-Za-z]+ (-Identity )?([^ ]+).*/\2/')
		case "$code" in
		*-WhatIf*)
			used_whatif=1
			q "Get-Migration$_kind $_name" >/dev/null || bad "-WhatIf removed $_name" ;;
		*)
			used_remove=1
			q "Get-Migration$_kind $_name" | grep -qF "couldn't be found" ||
				bad "$_name is still there (Get-Migration$_kind $_name)" ;;
		esac ;;
	esac
	_file=$(printf '%s\n' "$code" | sed -n -E \
		-e "s/.*Export-Csv -Path ([^ ('\"][^ '\"]*).*/\\1/p" \
		-e "s/.*Out-File (-FilePath )?([^ '\"]+).*/\\2/p" \
		-e "s/.*Set-Content (-Path )?([^ '\"]+).*/\\2/p" | head -n 1)
	case "$code" in
	*'Export-Csv -Path ("users-" + (Get-Date -UFormat %Y%m%d) + ".csv")'*)
		_file="users-$(date +%Y%m%d).csv"
		[ -e "$W/$_file" ] || _file="users-$DAY0.csv" ;;
	esac
	if [ -n "$_file" ]; then
		used_file=1
		case "$_file" in /*) ;; *) _file="$W/$_file" ;; esac
		[ -s "$_file" ] || bad "did not write $_file"
		case "$code" in
		*"Get-MigrationUser | Export-Csv "*)   # every fixture's users include terrya
			grep -qF terrya@contoso.edu "$_file" 2>/dev/null || bad "$_file lacks terrya@contoso.edu" ;;
		esac
	fi
	case "$code" in
	"Get-Content "*" -AsByteStream -Raw | Set-Content "*)
		used_bytes=1
		_from=$(printf '%s\n' "$code" | sed -E 's/^Get-Content ([^ ]+) .*/\1/')
		cmp -s "$W/$_from" "$_file" || bad "$_file is not a byte-for-byte copy of $_from" ;;
	esac
	case "$code" in
	*Start-MigrationService*)
		used_service=1
		[ "$(q '(Get-MigrationService).Status')" = Running ] || bad "the migration service is not running" ;;
	esac
	case "$code" in
	*"New-MigrationBatch -Name "*" -TargetEndpoint "*)
		used_target=1
		_name=$(printf '%s\n' "$code" | sed -E 's/.*New-MigrationBatch -Name ([^ ]+).*/\1/')
		_tgt=$(printf '%s\n' "$code" | sed -E 's/.* -TargetEndpoint ([^ ]+).*/\1/')
		[ "$(q "(Get-MigrationBatch $_name).TargetEndpoint")" = "$_tgt" ] ||
			bad "batch $_name does not copy into $_tgt" ;;
	esac
	case "$code" in
	*"| Out-Null")
		used_outnull=1
		[ ! -s "$MG_TMP/ex.out" ] || bad "printed something despite Out-Null" ;;
	esac
	case "$code" in
	*"| ForEach-Object { Start-MigrationBatch "*)
		used_foreach=1
		[ "$(q '(Get-MigrationBatch | Where-Object { $_.Status -eq "Created" }).Count')" = 0 ] ||
			bad "a batch is still Created" ;;
	esac
	case ",$flags,:$code" in
	*,tty,*:*Read-Host*-AsSecureString*|*,tty,*:*Read-Host*-MaskInput*)
		used_secret=1
		! grep -qF -- "$TTY_SECRET" "$MG_TMP/ex.out" || bad "the typed password was echoed" ;;
	esac
	return 0
}

# --- run every example
total=0 passed=0 failed=0 tty=0
: >"$MG_TMP/failures"
DAY0=$(date +%Y%m%d)
while IFS="$(printf '\t')" read -r num cmdlet flags expect; do
	total=$((total + 1))
	W=$MG_TMP/run-$num.w
	ms_rm_rf "$W"
	cp -a "$EX" "$W"
	code=$(sed -e 's|imap\.contoso\.com|localhost|g' \
	           -e "s|-Port 993 |-Port $SRC_IMAPS_PORT |g; s|-Port 993\$|-Port $SRC_IMAPS_PORT|" \
	           -e "s|-Port 143 |-Port $SRC_IMAP_PORT |g; s|-Port 143\$|-Port $SRC_IMAP_PORT|" \
	           -e "s|-Port 9993 |-Port $CLOSED |g; s|-Port 9993\$|-Port $CLOSED|" \
	           -e "s|Master-Pass-456|$MG_TEST_MASTER_PASSWORD|g" \
	           -e "s|/var/tmp/|$W/|g" \
	           -e 's|Start-Sleep -Seconds 60|Start-Sleep -Seconds 1|g' \
	           -e 's|migsh -c|"$MIGSH" -c|g' \
	           -E -e 's/^@reboot +//' \
	           -e 's/^[-0-9*\/,]+ +[-0-9*\/,]+ +[-0-9*\/,]+ +[-0-9*\/,]+ +[-0-9*\/,]+ +//' \
	           "$MG_TMP/dump/$num.code")
	case "$cmdlet" in
	New-MigrationEndpoint) base=$H_EMPTY ;;
	New-MigrationBatch) base=$H_EP ;;
	ForEach-Object|Out-Null|Start-Sleep) base=$H_CREATED ;;
	*) base=$H_FULL ;;
	esac
	run_home=$MG_TMP/run-$num
	ms_rm_rf "$run_home"
	cp -a "$base" "$run_home"
	rm -f "$run_home/service.pid"
	MS_HOMES="$MS_HOMES $run_home"
	set +e
	case ",$flags," in
	*,tty,*)
		tty=$((tty + 1))
		run_tty ;;
	*,bash,*)
		(cd "$W" && HOME="$W" MIGSH_HOME="$run_home" MIGSH="$MIGSH" timeout 300 sh -c "$code") \
			>"$MG_TMP/ex.out" 2>"$MG_TMP/ex.err" </dev/null
		rc=$? ;;
	*)
		(cd "$W" && HOME="$W" MIGSH_HOME="$run_home" timeout 300 "$MIGSH" -c "$code") \
			>"$MG_TMP/ex.out" 2>"$MG_TMP/ex.err" </dev/null
		rc=$? ;;
	esac
	set -e
	why=""
	case ",$flags," in
	*,tty,*) [ "$asked" -gt 0 ] || bad "did not ask anything on the terminal" ;;
	esac
	ex_checks
	# stop the service this example may have started and wait for it to be
	# gone: it must not write into run_home while that is removed below
	ms_stop_home "$run_home" || bad "Stop-MigrationService did not stop the migration service"
	case ",$flags," in
	*,fails,*)
		[ "$rc" -ne 0 ] || why="${why:+$why; }should have failed but exited 0"
		if [ "$expect" != "-" ] && ! cat "$MG_TMP/ex.out" "$MG_TMP/ex.err" | grep -qF -- "$expect"; then
			why="${why:+$why; }error lacks '$expect'"
		fi ;;
	*)
		[ "$rc" -eq 0 ] || why="${why:+$why; }exited $rc"
		if cat "$MG_TMP/ex.err" "$MG_TMP/ex.out" | grep -Eq 'CategoryInfo|FullyQualifiedErrorId'; then
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
		ms_rm_rf "$W"
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

mg_log "examples: $total in all, $passed passed, $failed failed ($tty of them answered on a terminal)"
if [ "$failed" -ne 0 ]; then
	cat "$MG_TMP/failures" >&2
	mg_fail "$failed example(s) did not work"
fi
for c in $CHECKS; do
	eval "_u=\${used_$c:-}"
	[ -n "$_u" ] || mg_fail "the '$c' check of ex_checks applied to no example: update ex_checks"
done
ms_check_service_logs
echo "e2e_examples: ok ($passed examples)"
