#!/bin/sh
# run_fuzz_csv_fmap.sh - build the libFuzzer targets for the batch CSV reader
# and the folder mapper with clang and run each for a bounded time (default
# 30 s each) from a small seed corpus.
# Usage: fuzz/run_fuzz_csv_fmap.sh [seconds]   (exit 0 = no crash)
set -eu
secs=${1:-30}
src=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP: clang is not installed (apt-get install clang)"
	exit 77
fi
build=${FUZZ_BUILD_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/migsh-fuzz.XXXXXX")}
cd "$build"
if [ ! -f Makefile ]; then
	"$src/configure" --enable-fuzzing --disable-unit-tests CC=clang >configure.log 2>&1 ||
		{ cat configure.log; exit 1; }
fi
make fuzz/fuzz_csv_batch fuzz/fuzz_folder_map >make-csv-fmap.log 2>&1 || { tail -50 make-csv-fmap.log; exit 1; }

c="$build/corpus-csv"
mkdir -p "$c"
printf '\000EmailAddress,UserName,Password\r\na@contoso.edu,a,p\r\n' >"$c/s1"
printf '\001\357\273\277EmailAddress,UserName,Password,UserRoot,Extra\nb@contoso.edu,"dom\\b","p,""q""",/users/b,x\n' >"$c/s2"
printf '\000EmailAddress,UserName,Password\na@x.example,a,p\na@x.example,,\nbad,b\000c,p\n' >"$c/s3"
f="$build/corpus-fmap"
mkdir -p "$f"
printf '\000\001\000INBOX\nSent Items\nArchive/2019\nEntw&APw-rfe\n+#Inbox#/*\n-Archive/*\n' >"$f/s1"
printf '\001\000\003INBOX.Sent\nINBOX.a/b\nINBOX.Ab\000cd\nINBOX.Caf\351\nINBOX..\n+#Root#/*\n' >"$f/s2"

for t in csv_batch:corpus-csv folder_map:corpus-fmap; do
	name=${t%%:*}
	corpus="$build/${t#*:}"
	ASAN_OPTIONS=detect_leaks=1 "./fuzz/fuzz_$name" -max_total_time="$secs" -max_len=4096 -timeout=10 \
		-print_final_stats=1 "$corpus" 2>"fuzz-$name.log" || { tail -60 "fuzz-$name.log"; exit 1; }
	tail -3 "fuzz-$name.log"
	echo "fuzz_$name: no crash in ${secs}s"
done
