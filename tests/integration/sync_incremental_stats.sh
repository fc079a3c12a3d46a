#!/bin/sh
# sync_incremental_stats.sh - the statistics describe the mailbox, not the
# last pass.  A Dovecot source (CONDSTORE, so incremental passes only ask
# for what is new or changed) holds, for u1, a message over 35 MB in 'Big',
# an empty message in INBOX that the target Dovecot refuses (a bad item) and
# a folder whose name contains '/' (not migrated); u2 has only the large
# message.  After the initial sync and after each of three incremental
# passes (Set-MigrationBatch -SyncNow, Set-MigrationUser -SyncNow twice)
# SkippedItemCount, ItemsLarge, ItemsBad, ItemsExcluded, the skipped-item
# list, the DataConsistencyScore, the batch's ItemsSkipped and the report's
# per-folder line still count what is not migrated; when the large message
# is deleted at the source, it leaves the statistics.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

mg_dovecot_start SRC --users "u1 u2" --separator .
mg_dovecot_start DST --users "u1@contoso.edu u2@contoso.edu"
ms_trust
PW=$MG_TEST_PASSWORD
MPW=$MG_TEST_MASTER_PASSWORD
W=$MG_TMP/incr
mkdir -p "$W"

n_mail=0
add_mail() { # USER FOLDER: a small message
	n_mail=$((n_mail + 1))
	printf 'From: a@example.com\r\nSubject: small %s\r\nMessage-ID: <small-%s@example.com>\r\n\r\nbody %s\r\n' \
		"$n_mail" "$n_mail" "$n_mail" >"$W/m.eml"
	mg_maildir_add SRC "$1" "$2" "$W/m.eml" S >/dev/null
}
{ printf 'From: big@example.com\r\nSubject: a very large message\r\n\r\n'
  yes 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' | head -c 37000000
} >"$W/big.eml"
for u in u1 u2; do
	add_mail "$u" INBOX; add_mail "$u" INBOX; add_mail "$u" INBOX
	add_mail "$u" Big
	mg_maildir_add SRC "$u" Big "$W/big.eml" S >"$W/big-$u.path"
done
rm -f "$W/big.eml"
: >"$W/empty.eml"
mg_maildir_add SRC u1 INBOX "$W/empty.eml" S >/dev/null     # the target refuses it
add_mail u1 'a\2fb'                                           # 'INBOX.a/b': not migrated

ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl" Src
ms_ok "New-MigrationEndpoint -IMAP -Name Dst -RemoteServer localhost -Port $DST_IMAPS_PORT -Security Ssl -Credentials mailadmin,'$MPW'" Dst
ms_csv "$W/b.csv" 'EmailAddress,UserName,Password' "u1@contoso.edu,u1,$PW" "u2@contoso.edu,u2,$PW"
ms_ok "New-MigrationBatch -Name Incr -SourceEndpoint Src -TargetEndpoint Dst -CSVFile '$W/b.csv' -AutoStart" Incr

wait_pass() { # EMAIL N: until the user finished N passes
	ms_wait "(Get-MigrationUserStatistics $1).SyncCount" "$2" 180
	ms_wait "(Get-MigrationUser $1).Status" 'Synced' 60
}
stats() { # EMAIL: one line of the counts
	ms_ok "\$s = Get-MigrationUserStatistics $1 -IncludeSkippedItems; \"\$(\$s.SkippedItemCount) \$(\$s.ItemsLarge) \$(\$s.ItemsBad) \$(\$s.ItemsExcluded) \$(\$s.DataConsistencyScore) \$(@(\$s.SkippedItems | Where-Object Kind -eq LargeItem).Count) \$(\$s.TotalItemsInSourceMailboxCount)\""
	printf '%s\n' "$OUT"
}
expect() { # WHEN EMAIL "SKIPPED LARGE BAD EXCLUDED SCORE LISTED-LARGE TOTAL"
	got=$(stats "$2")
	[ "$got" = "$3" ] || mg_fail "$1: $2 has 'SkippedItemCount ItemsLarge ItemsBad ItemsExcluded DataConsistencyScore LargeItems-listed TotalItems' = '$got', expected '$3'"
}
expect_batch() { # WHEN N: the batch's ItemsSkipped
	ms_ok "(Get-MigrationBatch Incr).ItemsSkipped"
	[ "$OUT" = "$2" ] || mg_fail "$1: the batch's ItemsSkipped is $OUT, expected $2"
}
expect_big_line() { # WHEN EMAIL SKIPPED: the last report line for folder Big
	ms_ok "Get-MigrationUserStatistics $2 -IncludeReport | Select-Object -ExpandProperty Report"
	line=$(printf '%s\n' "$OUT" | grep "Big' -> " | tail -n 1)
	printf '%s\n' "$line" | grep -q "2 in source, 1 at destination.*, $3 skipped" ||
		{ ms_show; mg_fail "$1: the report says for $2: $line (expected 2 in source, 1 at destination, $3 skipped)"; }
}

# initial sync: u1 has 4+2 in INBOX/Big (1 large, 1 bad), 1 in 'a/b'
wait_pass u1@contoso.edu 1
wait_pass u2@contoso.edu 1
expect initial u1@contoso.edu "2 1 1 1 Poor 1 6"
expect initial u2@contoso.edu "1 1 0 0 Good 1 5"
expect_batch initial 3
# the empty message the target refused is reported as TargetRejected (a bad item)
ms_ok "@((Get-MigrationUserStatistics u1@contoso.edu -IncludeSkippedItems).SkippedItems | Where-Object Kind -eq TargetRejected).Count" '^1$'
expect_big_line initial u2@contoso.edu 1

# pass 2: new mail in INBOX, the batch's -SyncNow
add_mail u1 INBOX
add_mail u2 INBOX
ms_ok "Set-MigrationBatch -Identity Incr -SyncNow"
wait_pass u1@contoso.edu 2
wait_pass u2@contoso.edu 2
expect "after pass 2" u1@contoso.edu "2 1 1 1 Poor 1 7"
expect "after pass 2" u2@contoso.edu "1 1 0 0 Good 1 6"
expect_batch "after pass 2" 3
expect_big_line "after pass 2" u2@contoso.edu 1

# pass 3: a flag change and new mail in Big, one user's -SyncNow
add_mail u2 Big
f=$(mg_maildir_find SRC u2 INBOX 'small-5@' | head -n 1)
[ -n "$f" ] || mg_fail "no message small-5 in u2's INBOX"
mg_maildir_setflags "$f" FS >/dev/null
ms_ok "Set-MigrationUser -Identity u2@contoso.edu -SyncNow"
wait_pass u2@contoso.edu 3
expect "after pass 3" u2@contoso.edu "1 1 0 0 Good 1 7"
expect_batch "after pass 3" 3
ms_ok "Get-MigrationUserStatistics u2@contoso.edu -IncludeReport | Select-Object -ExpandProperty Report"
printf '%s\n' "$OUT" | grep "Big' -> " | tail -n 1 | grep -q "3 in source, 2 at destination.*, 1 skipped" ||
	mg_fail "after pass 3: wrong report line for Big: $(printf '%s\n' "$OUT" | grep "Big' -> " | tail -n 1)"

# pass 4: the large message is deleted at the source: it leaves the statistics
rm -f "$(cat "$W/big-u2.path")"
ms_ok "Set-MigrationUser -Identity u2@contoso.edu -SyncNow"
wait_pass u2@contoso.edu 4
expect "after the large message left the source" u2@contoso.edu "0 0 0 0 Perfect 0 6"
expect_batch "after the large message left the source" 2
ms_ok "Set-MigrationUser -Identity u1@contoso.edu -SyncNow"
wait_pass u1@contoso.edu 3
expect "after pass 3 of u1" u1@contoso.edu "2 1 1 1 Poor 1 7"

ms_check_service_logs
echo "sync_incremental_stats: ok"
