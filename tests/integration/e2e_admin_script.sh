#!/bin/sh
# e2e_admin_script.sh - issue 13: a realistic administrator's script
# (tests/scripts/migrate-imap.ps1, ~170 lines: Connect-ExchangeOnline,
# functions with [CmdletBinding()] and pipeline input, a CSV loop with
# Import-Csv, redirection, try/catch/finally, a Write-Progress loop on
# Get-MigrationBatch until Synced, Complete-MigrationBatch, a report with
# Export-Csv) runs end to end against a real Dovecot.  Checks: the script
# exits 0; the migrated mail of each valid user equals the source; the
# report has one line per valid user with the real counts; the invalid CSV
# row is in the log and not migrated; the clean CSV (it holds passwords) was
# removed; no password in any output, log or report.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

mg_dovecot_start SRC --users "user1 user2 user3"
mg_dovecot_load_corpus SRC --seed 31 --messages 8 --quiet
ms_trust
PW=$MG_TEST_PASSWORD
W=$MG_TMP/admin
mkdir -p "$W"
ms_csv "$W/users.csv" 'EmailAddress,UserName,Password' \
	"user1@contoso.edu,user1,$PW" \
	"not-an-address,user2,$PW" \
	"user3@contoso.edu,user3,$PW"

set +e
(cd "$W" && "$MIGSH" -File "$top_srcdir/tests/scripts/migrate-imap.ps1" -CsvPath ./users.csv \
	-RemoteServer localhost -Port "$SRC_IMAPS_PORT" -BatchName Wave1 -ReportPath ./report.csv \
	>"$W/out" 2>"$W/err" </dev/null)
RC=$?
set -e
show() { printf '%s\n' "--- stdout:" "$(cat "$W/out")" "--- stderr:" "$(cat "$W/err")" \
	"--- migration.log:" "$(cat "$W/migration.log" 2>/dev/null)" >&2; }
[ "$RC" -eq 0 ] || { show; mg_fail "the script exited $RC"; }

# what it printed: the summary (Write-Host), Connect-ExchangeOnline's one warning
grep -q '^Batch Wave1: 2 users, 0 failed, [0-9][0-9]* messages$' "$W/out" || { show; mg_fail "no summary line"; }
grep -q 'Problems logged: 1' "$W/out" || { show; mg_fail "the summary does not count the bad CSV row"; }
[ "$(grep -c 'WARNING' "$W/err")" -le 2 ] || { show; mg_fail "more warnings than Connect-ExchangeOnline's"; }
grep -Eq 'CategoryInfo|FullyQualifiedErrorId' "$W/err" && { show; mg_fail "the script printed an error"; }

# the migrated mail: every message of each valid user, none of the bad row's user
src_count() { find "$SRC_MAIL/$1" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l | tr -d ' '; }
dest_count() {
	d="$MIGSH_HOME/mail/$1"
	[ -d "$d" ] || { echo 0; return; }
	find "$d" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l | tr -d ' '
}
for u in user1 user3; do
	s=$(src_count "$u") d=$(dest_count "$u@contoso.edu")
	[ "$s" -gt 0 ] || mg_fail "the corpus gave $u no mail"
	[ "$d" -eq "$s" ] || { show; mg_fail "$u: $d messages migrated, $s at the source"; }
done
[ "$(dest_count user2@contoso.edu)" -eq 0 ] || mg_fail "the invalid CSV row was migrated"
[ ! -d "$MIGSH_HOME/mail/not-an-address" ] || mg_fail "the invalid address got a mailbox"

# the report: a header and one line per valid user, with the real counts
R=$W/report.csv
[ -f "$R" ] || { show; mg_fail "no report was exported"; }
head -n 1 "$R" | grep -qx '"EmailAddress","Status","Synced","Skipped","Error"' ||
	mg_fail "report header: $(head -n 1 "$R")"
[ "$(wc -l <"$R" | tr -d ' ')" -eq 3 ] || mg_fail "the report has $(wc -l <"$R") lines, expected 3: $(cat "$R")"
for u in user1 user3; do
	line=$(grep "^\"$u@contoso.edu\"" "$R") || mg_fail "the report lacks $u"
	printf '%s\n' "$line" | grep -q '"Completed"' || mg_fail "$u is not Completed in the report: $line"
	printf '%s\n' "$line" | grep -q "\"$(src_count "$u")\"" || mg_fail "$u's Synced count is not $(src_count "$u"): $line"
done

# the log names the skipped row; the clean CSV with passwords is gone
grep -q "CSV line 3 skipped: bad address 'not-an-address'" "$W/migration.log" || { show; mg_fail "the log lacks the bad row"; }
grep -q 'Batch completed: Completed' "$W/migration.log" || { show; mg_fail "the log lacks the completion"; }
[ ! -e "$W/batch-users.csv" ] || mg_fail "the cleaned CSV (with passwords) was left behind"
grep -q '^Problems logged: 1$' "$W/summary.txt" || mg_fail "summary.txt: $(cat "$W/summary.txt")"

for f in "$W/out" "$W/err" "$W/migration.log" "$R" "$W/summary.txt"; do
	grep -qF -- "$PW" "$f" && mg_fail "the password is in $(basename "$f")"
done
ms_stop_home "$MIGSH_HOME" || :
echo "e2e_admin_script: ok"
