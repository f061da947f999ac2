# Shell TAP helpers for tests/host/*.t and tests/vm/*.t (source this file).
#   ok COND_EXIT_STATUS "description"   e.g.  [ -x f ]; ok $? "f is executable"
#   is "got" "want" "description"
#   skip "reason"                       one skipped test
#   todo COND "description" "why"       a known open bug (TAP TODO)
#   done_testing                        prints the plan; exit status = failures
_tap_n=0
_tap_fail=0
ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_fail=$((_tap_fail + 1))
	fi
}
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | sed '3,$s/^/#         /'
	fi
}
# A known, open bug: reported in TAP's TODO form (prove neither passes nor
# fails it), so it stays visible without failing the suite.
#   todo COND_EXIT_STATUS "description" "why it is open"
todo() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2 # TODO $3"
	else
		echo "not ok $_tap_n - $2 # TODO $3"
	fi
}
skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n # skip $1"
}
done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_fail" -eq 0 ]
}
: "${KTBOX:?KTBOX must point to build/ktbox (run through make check)}"
