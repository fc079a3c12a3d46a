#!/bin/sh
# sync_keywords.sh - keywords that a destination Maildir folder cannot hold
# are reported, not lost silently: the local INBOX of the user already uses
# Dovecot's 26 keyword slots, so of a source message's keywords the known one
# is kept and the new ones are counted (KeywordsNotKeptCount) and named in the
# user's report (Get-MigrationUserStatistics -IncludeReport).
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/cmdlets_lib.sh"

mg_dovecot_start SRC --users "kwuser"
ms_trust
W=$MG_TMP/kw
mkdir -p "$W"

# at the source: one message with the keywords k3 (kept), Work and $Label9 (no room)
SRCF=$(mg_maildir_folder SRC kwuser INBOX)
printf '0 k3\n1 Work\n2 $Label9\n' >"$SRCF/dovecot-keywords"
mg__chown "$SRCF/dovecot-keywords"
printf 'From: a@example.com\r\nSubject: tagged\r\n\r\nbody\r\n' >"$W/m.eml"
mg_maildir_add SRC kwuser INBOX "$W/m.eml" Sabc >/dev/null

# at the destination: an INBOX whose 26 keyword slots are taken (k0 .. k25)
DST=$MIGSH_HOME/mail/kw@contoso.edu
mkdir -p "$DST/cur" "$DST/new" "$DST/tmp"
i=0
while [ "$i" -lt 26 ]; do echo "$i k$i"; i=$((i + 1)); done >"$DST/dovecot-keywords"

ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl" Src
ms_csv "$W/u.csv" 'EmailAddress,UserName,Password' "kw@contoso.edu,kwuser,$MG_TEST_PASSWORD"
ms_ok "New-MigrationBatch -Name Kw -SourceEndpoint Src -CSVFile '$W/u.csv' -AutoStart" Kw
ms_wait_batch Kw 'Synced' 120

f=$(grep -rl 'Subject: tagged' "$DST/cur") || mg_fail "the message was not copied"
case "$f" in
*:2,Sd) ;;   # \Seen and k3 (slot d), nothing else
*) mg_fail "unexpected flags on the copy: $f" ;;
esac
ms_ok "(Get-MigrationUserStatistics kw@contoso.edu).KeywordsNotKeptCount" '^1$'
ms_ok "Get-MigrationUserStatistics kw@contoso.edu -IncludeReport | Format-List Report" \
	"folder 'INBOX': 1 message\\(s\\) stored without some of their keywords \\((Work, \\\$Label9|\\\$Label9, Work)\\)" \
	"26 keywords"
ms_check_service_logs
echo "sync_keywords: ok"
