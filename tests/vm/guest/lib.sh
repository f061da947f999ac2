# Sourced by the guest test scripts (busybox sh).  Results go to the serial
# console as "KT: " + a TAP line without its number; the host .t script
# numbers them and adds the plan.  Diagnostics: "KT: # ...".

KT_FAILED=0

kt_ok() { echo "KT: ok - $*"; }
kt_fail() { echo "KT: not ok - $*"; KT_FAILED=$((KT_FAILED + 1)); }
kt_skip() { echo "KT: ok - $1 # skip $2"; }
# a known open bug: TAP TODO (prove counts it neither way)
kt_todo() { echo "KT: not ok - $1 # TODO $2"; }
kt_diag() { echo "$*" | sed 's/^/KT: # /'; }
# a time stamp (guest uptime) in the diagnostics: where the time goes
kt_time() { kt_diag "[$(cut -d' ' -f1 /proc/uptime)s] $*"; }

# kt_check DESC COMMAND...: ok when the command succeeds
kt_check() {
	d=$1
	shift
	if "$@"; then kt_ok "$d"; else kt_fail "$d"; fi
}

# kt_is GOT WANT DESC
kt_is() {
	if [ "$1" = "$2" ]; then
		kt_ok "$3"
	else
		kt_fail "$3"
		kt_diag "     got: '$1'"
		kt_diag "expected: '$2'"
	fi
}

# kt_has FILE FIXED-STRING DESC: the file contains the string
kt_has() {
	if grep -qF -- "$2" "$1"; then
		kt_ok "$3"
	else
		kt_fail "$3"
		kt_diag "'$2' not in $1:"
		head -c 1500 "$1" | kt_diag "$(cat)"
	fi
}

# value of ktbox.NAME= on the kernel command line
kt_arg() {
	for a in $(cat /proc/cmdline); do
		case $a in "ktbox.$1="*) echo "${a#*=}"; return ;; esac
	done
}

# Applets that exist must be checked, never skipped: a stub answer from
# one of these is a failure.  Only applets still listed in KT_STUBS (stubs
# on purpose, "not implemented yet") have their checks skipped.
KT_STUBS=""
kt_ready() {
	case $("$1" --help 2>&1) in
	*"not implemented yet"*)
		case " $KT_STUBS " in
		*" $1 "*) return 1 ;;
		esac
		kt_fail "$1 answers 'not implemented yet' but is implemented in ktbox"
		return 1 ;;
	esac
	return 0
}

# kt_wait_fd PID PATH TENTHS: wait until process PID holds PATH open (at
# most TENTHS tenths of a second); fails when it did not (or PID ended)
kt_wait_fd() {
	i=0
	while [ $i -lt "$3" ]; do
		for f in /proc/$1/fd/*; do
			[ "$(readlink "$f" 2>/dev/null)" = "$2" ] && return 0
		done
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Last /dev/kmsg sequence number now (the next record is this + 1).
kt_kmsg_seq() {
	scx_test -k | sed -n 's/^[0-9]*,\([0-9]*\),.*/\1/p' | tail -n 1
}

# The value of a string key in one-line JSON: kt_json_str FILE KEY (first match)
kt_json_str() {
	grep -o "\"$2\":\"[^\"]*\"" "$1" | head -n 1 | sed "s/^\"$2\":\"//; s/\"\$//"
}

# The value of a number key: kt_json_num FILE KEY
kt_json_num() {
	grep -o "\"$2\":[0-9.]*" "$1" | head -n 1 | sed "s/^\"$2\"://"
}
