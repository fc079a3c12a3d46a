#!/bin/sh
# run-tests.sh - build migsh and run the whole test suite, as the README says:
#   0. install missing Debian packages (tests/lib/install-deps.sh; skipped when
#      all of tests/lib/packages.txt is installed, or with --no-install)
#   1. autoreconf -fi
#   2. normal build in build/: configure, make -j2, then make distcheck, which
#      packs the tarball, builds it afresh and runs the whole suite there (so
#      the normal build's tests run once, from exactly what we distribute)
#   3. sanitizer build in build-asan/: configure --enable-sanitizers, make, make check
#   4. bounded libFuzzer runs of the two parsers, the evaluator, the batch CSV
#      reader and the folder mapper (clang, build-fuzz/)
# Test logs of failing tests are printed; a failing normal run still gets its
# sanitizer run.  Exit status non-zero on any failure.
# Options: --quick       only the normal build and make check in build/ (no tarball)
#          --no-install  do not call apt-get even when packages are missing
set -eu
cd "$(dirname "$0")"
top=$(pwd)
jobs=${JOBS:-2}
# Tests spend most of their time waiting on servers and sockets, so make check
# runs more of them at once than there are CPUs.
tjobs=${TEST_JOBS:-4}
quick=0
install=1
for a in "$@"; do
	case "$a" in
	--quick) quick=1 ;;
	--no-install) install=0 ;;
	*) echo "usage: ./run-tests.sh [--quick] [--no-install]" >&2; exit 2 ;;
	esac
done
# Missing Dovecot/openssl is a failure here, not a skipped test.
MG_REQUIRE_DOVECOT=1
export MG_REQUIRE_DOVECOT

t0=$(date +%s)
step() { printf '\n==== [%s s] %s ====\n' "$(( $(date +%s) - t0 ))" "$*"; }

# Print the logs of tests that failed (FAIL, ERROR or XPASS) under $1.
show_failures() {
	find "$1" -name '*.trs' | while read -r trs; do
		if grep -Eq '^:test-result: (FAIL|ERROR|XPASS)' "$trs"; then
			log=${trs%.trs}.log
			printf '\n---- %s ----\n' "${log#"$top"/}"
			tail -n 200 "$log" 2>/dev/null || :
		fi
	done
	[ -f "$1/test-suite.log" ] && grep -E '^(# |FAIL|ERROR)' "$1/test-suite.log" | head -n 40 || :
}

# Every test gets at most MG_TEST_TIMEOUT seconds (default 600): a hung test
# fails (exit 124) instead of hanging CI.  The Dovecot harness stops its
# servers when the test script is terminated.
tmo=${MG_TEST_TIMEOUT:-600}
limits="SH_LOG_COMPILER=timeout -k 10 $tmo \$(SHELL)"
limits_bin="LOG_COMPILER=timeout -k 10 $tmo"

# check DIR: make check in DIR; on failure print the failing logs and remember it
# (the sanitizer build still runs: it finds different bugs).
failed=""
check() {
	if ! make -C "$1" -j"$tjobs" check "$limits" "$limits_bin"; then
		show_failures "$1"
		printf '\nrun-tests: make check FAILED in %s\n' "$1" >&2
		failed="$failed $1"
	fi
}

if [ "$install" = 1 ]; then
	step "packages (tests/lib/packages.txt)"
	tests/lib/install-deps.sh
fi
step "autoreconf"
autoreconf -fi

step "normal build (build/)"
mkdir -p build
(cd build && "$top/configure" --quiet)
make -C build -j"$jobs"
if [ "$quick" = 1 ]; then
	check build
else
	step "make distcheck (build/): the whole suite, built from the tarball"
	if ! make -C build -j"$tjobs" distcheck "$limits" "$limits_bin"; then
		d=$(find build -maxdepth 1 -type d -name 'migsh-*' | head -n 1)
		[ -z "$d" ] || show_failures "$d"
		printf '\nrun-tests: make distcheck FAILED\n' >&2
		failed="$failed distcheck"
	fi
fi

if [ "$quick" = 0 ]; then
	step "sanitizer build (build-asan/)"
	mkdir -p build-asan
	(cd build-asan && "$top/configure" --quiet --enable-sanitizers)
	make -C build-asan -j"$jobs"
	# the random kill tests ran in full (25 and 12 kills) in distcheck;
	# the sanitizer build repeats them with fewer kills
	MG_SYNC_KILLS=${MG_SYNC_KILLS:-8}
	export MG_SYNC_KILLS
	# ... and each test may take half as long again (the sanitizers slow
	# every process; engine_service.sh once hit 600 s there on a loaded machine)
	tmo=${MG_TEST_TIMEOUT_ASAN:-900}
	limits="SH_LOG_COMPILER=timeout -k 10 $tmo \$(SHELL)"
	limits_bin="LOG_COMPILER=timeout -k 10 $tmo"
	check build-asan

	# libFuzzer targets (clang): the shell's lexer+parser, its evaluator, the
	# IMAP response parser, the batch CSV reader and the folder mapper, each
	# for a bounded time; a crash fails the run.
	step "fuzzing (build-fuzz/, ${FUZZ_SECONDS:-30} s per target)"
	mkdir -p build-fuzz
	for f in fuzz/run_fuzz_parse.sh fuzz/run_fuzz_eval.sh fuzz/run_fuzz_imap.sh fuzz/run_fuzz_csv_fmap.sh; do
		rc=0
		FUZZ_BUILD_DIR="$top/build-fuzz" sh "$f" "${FUZZ_SECONDS:-30}" || rc=$?
		if [ "$rc" = 77 ]; then
			echo "run-tests: $f skipped (see the reason above)"
		elif [ "$rc" != 0 ]; then
			failed="$failed $f"
		fi
	done
fi
secs=$(( $(date +%s) - t0 ))
if [ -n "$failed" ]; then
	printf '\nrun-tests: FAILED (%s) after %s s\n' "${failed# }" "$secs" >&2
	exit 1
fi
printf '\nrun-tests: all passed in %s s\n' "$secs"
