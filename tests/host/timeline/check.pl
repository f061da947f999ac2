#!/usr/bin/perl
# Compare a timeline JSON Lines dump with `perf script` output for a pair of
# pids.  Prints "key value" lines:
#   tl_switch_in, tl_wakeup, perf_switch_in, perf_wakeup: the pair's counts
#   cpu_inversions: records older than the previous one on the same CPU
#   wakeups_unanswered: pair wakeups not followed by the task running
use strict;
use warnings;
use JSON::PP;
my ($dump, $perf, @pair) = @ARGV;
my %pair = map { $_ => 1 } @pair;
my ($tsw, $twk, $psw, $pwk, $inv, $unans) = (0) x 6;
my (%last, %running, %pending);
open(my $fh, '<', $dump) or die "$dump: $!";
while (my $l = <$fh>) {
	my $e = decode_json($l);
	my $cpu = $e->{cpu};
	if (defined $cpu) {
		$inv++ if defined $last{$cpu} && $e->{ts} < $last{$cpu};
		$last{$cpu} = $e->{ts};
	}
	if ($e->{kind} eq 'Switch') {
		my ($p, $n) = ($e->{prev_pid}, $e->{next_pid});
		$running{$p} = 0;
		$running{$n} = 1;
		if ($pair{$n}) { $tsw++; delete $pending{$n}; }
	} elsif ($e->{kind} eq 'Wakeup' && $pair{$e->{pid}}) {
		$twk++;
		$pending{$e->{pid}} = 1 unless $running{$e->{pid}};
	}
}
$unans = scalar keys %pending;
open(my $ph, '<', $perf) or die "$perf: $!";
while (my $l = <$ph>) {
	if ($l =~ /sched:sched_switch:.* next_pid=(\d+)/) {
		$psw++ if $pair{$1};
	} elsif ($l =~ /sched:sched_wakeup: .*\bpid=(\d+)/) {
		$pwk++ if $pair{$1};
	}
}
print "tl_switch_in $tsw\ntl_wakeup $twk\nperf_switch_in $psw\nperf_wakeup $pwk\n";
print "cpu_inversions $inv\nwakeups_unanswered $unans\n";
