#!/bin/sh
# run_fuzz_imap.sh - build the IMAP response parser fuzz target with clang and
# run it for a bounded time (default 30 s) from a small seed corpus of server
# responses. Usage: fuzz/run_fuzz_imap.sh [seconds]   (exit 0 = no crash)
set -eu
secs=${1:-30}
src=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP: clang is not installed (apt-get install clang)"
	exit 77
fi
build=${FUZZ_BUILD_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/migsh-fuzz.XXXXXX")}
corpus="$build/corpus-imap"
mkdir -p "$corpus"
cd "$build"
if [ ! -f Makefile ]; then
	"$src/configure" --enable-fuzzing --disable-unit-tests CC=clang >configure.log 2>&1 ||
		{ cat configure.log; exit 1; }
fi
make fuzz/fuzz_imap_parse >make-imap.log 2>&1 || { tail -50 make-imap.log; exit 1; }
printf '* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR] ready\r\n' >"$corpus/s1"
printf '* 1 FETCH (UID 7 FLAGS (\\Seen $Label1) INTERNALDATE "01-Jan-2020 10:00:00 +0000" RFC822.SIZE 5 BODY[] {5}\r\nhello)\r\n' >"$corpus/s2"
printf '* LIST (\\HasNoChildren \\Sent) "/" "Entw&APw-rfe"\r\na1 OK [APPENDUID 3 9] done\r\n' >"$corpus/s3"
printf '* OK [UIDVALIDITY 42] x\r\n* OK [HIGHESTMODSEQ 9] y\r\n+ go\r\n* BYE bye\r\n' >"$corpus/s4"
ASAN_OPTIONS=detect_leaks=1 ./fuzz/fuzz_imap_parse -max_total_time="$secs" -max_len=8192 -timeout=10 \
	-print_final_stats=1 "$corpus" 2>fuzz-imap.log || { tail -60 fuzz-imap.log; exit 1; }
tail -5 fuzz-imap.log
echo "fuzz_imap_parse: no crash in ${secs}s"
