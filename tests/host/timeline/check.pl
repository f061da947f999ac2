#!/usr/bin/perl
# Compare a timeline JSON Lines dump with `perf script` output for a pair of
# pids.  Prints "key value" lines:
#   tl_switch_in, tl_wakeup, perf_switch_in, perf_wakeup: the pair's counts
#   cpu_inversions: records older than the previous one on the same CPU
#   wakeups_unanswered: pair wakeups not followed by the task running
#   tl_breaks, perf_breaks: switches whose prev_pid is not the task the
#     previous switch on that CPU put there: each is at least one switch
#     that tracer did not see (any task, the whole recording)
use strict;
use warnings;
use JSON::PP;
my ($dump, $perf, @pair) = @ARGV;
my %pair = map { $_ => 1 } @pair;
my ($tsw, $twk, $psw, $pwk, $inv, $unans) = (0) x 6;
my (%last, %running, %pending, %cur, %pcur);
my ($tbr, $pbr) = (0, 0);
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
		$tbr++ if defined $cpu && defined $cur{$cpu} && $cur{$cpu} != $p;
		$cur{$cpu} = $n if defined $cpu;
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
	if ($l =~ /^\s*\[(\d+)\].*sched:sched_switch:.* prev_pid=(\d+).* next_pid=(\d+)/) {
		$pbr++ if defined $pcur{$1} && $pcur{$1} != $2;
		$pcur{$1} = $3;
		$psw++ if $pair{$3};
	} elsif ($l =~ /sched:sched_wakeup: .*\bpid=(\d+)/) {
		$pwk++ if $pair{$1};
	}
}
print "tl_switch_in $tsw\ntl_wakeup $twk\nperf_switch_in $psw\nperf_wakeup $pwk\n";
print "cpu_inversions $inv\nwakeups_unanswered $unans\n";
print "tl_breaks $tbr\nperf_breaks $pbr\n";
