#!/usr/bin/perl
# Compare a timeline JSON Lines dump with `perf script -F cpu,time,event,trace
# --ns` output of a `perf record -k mono` run (perf's clock is then
# CLOCK_MONOTONIC, timeline's bpf_ktime_get_ns) for a pair of pids.  Prints
# "key value" lines:
#   tl_switch_in, tl_wakeup, perf_switch_in, perf_wakeup: the pair's counts
#   pair_inside: 1 when the pair's events lie inside both tracers' spans
#   cpu_inversions: records older than the previous one on the same CPU
#   late_records: records more than 10 ms older than the newest before them
#     (any CPU): the file's order across CPUs, which the readers' sorting
#     window needs close to time order
#   wakeups_unanswered: pair wakeups not followed by the task running
#   tl_breaks, perf_breaks: switches whose prev_pid is not the task the
#     previous switch on that CPU put there (any task, the whole recording):
#     a switch that tracer did not see, or one the kernel did not trace
#   common_breaks: breaks both tracers show at the same switch (the kernel
#     did not fire sched_switch there: no tracer can see it)
#   overlap_ms: the span both tracers recorded, less 1 ms at each end (per
#     CPU also cut to perf's first and last switch there)
#   tl_only, perf_only: switches (any task, every CPU) in the overlap that
#     one tracer recorded and the other did not (matched on cpu, prev_pid,
#     next_pid and time within 200 us, in order)
#   tl_only_from_idle, tl_only_pair: of tl_only, the switches out of idle
#     (prev_pid 0), and the switches-in of the pair
#   first_diff: where the first such switch is (or "none")
#   perf_wakeup_unmatched: the pair's wakeups perf recorded in the overlap
#     that no timeline wakeup matches (same cpu and pid, the nearest in
#     time not matched yet, within 200 us, in order)
#   wakeup_max_dt_ns: the largest time difference of a matched pair (the
#     two tracers stamp the same tracepoint call)
#   first_wakeup_diff: the first unmatched one (or "none")
use strict;
use warnings;
use JSON::PP;
my ($dump, $perf, @pair) = @ARGV;
my %pair = map { $_ => 1 } @pair;
my ($tsw, $twk, $psw, $pwk, $inv, $late, $newest) = (0) x 7;
my (%last, %running, %pending, %cur, %pcur, %tsw, %psw, %tbrk, %twk, %pwk);
my ($tbr, $pbr, $cbr) = (0, 0, 0);
my ($tlo, $thi, $plo, $phi, $pairlo, $pairhi);
sub span { my ($lo, $hi, $t) = @_; $$lo = $t if !defined $$lo || $t < $$lo; $$hi = $t if !defined $$hi || $t > $$hi; }
open(my $fh, '<', $dump) or die "$dump: $!";
while (my $l = <$fh>) {
	my $e = decode_json($l);
	my $cpu = $e->{cpu};
	next unless defined $cpu; # records the recorder wrote itself
	$inv++ if defined $last{$cpu} && $e->{ts} < $last{$cpu};
	$last{$cpu} = $e->{ts};
	$late++ if $e->{ts} + 10_000_000 < $newest;
	$newest = $e->{ts} if $e->{ts} > $newest;
	span(\$tlo, \$thi, $e->{ts});
	if ($e->{kind} eq 'Switch') {
		my ($p, $n) = ($e->{prev_pid}, $e->{next_pid});
		if (defined $cur{$cpu} && $cur{$cpu} != $p) { $tbr++; $tbrk{"$cpu $p $n"}++; }
		$cur{$cpu} = $n;
		push @{$tsw{$cpu}}, [$e->{ts}, $p, $n];
		$running{$p} = 0;
		$running{$n} = 1;
		if ($pair{$n}) { $tsw++; delete $pending{$n}; span(\$pairlo, \$pairhi, $e->{ts}); }
	} elsif ($e->{kind} eq 'Wakeup' && $pair{$e->{pid}}) {
		$twk++;
		push @{$twk{"$cpu $e->{pid}"}}, $e->{ts};
		span(\$pairlo, \$pairhi, $e->{ts});
		$pending{$e->{pid}} = 1 unless $running{$e->{pid}};
	}
}
my $unans = scalar keys %pending;
open(my $ph, '<', $perf) or die "$perf: $!";
while (my $l = <$ph>) {
	next unless $l =~ /^\s*\[(\d+)\]\s+(\d+)\.(\d{9}):\s+(\S+)/;
	my ($cpu, $ts, $ev) = ($1 + 0, $2 * 1000000000 + $3, $4);
	span(\$plo, \$phi, $ts);
	if ($ev eq 'sched:sched_switch:' && $l =~ / prev_pid=(\d+).* next_pid=(\d+)/) {
		my ($p, $n) = ($1, $2);
		if (defined $pcur{$cpu} && $pcur{$cpu} != $p) {
			$pbr++;
			if ($tbrk{"$cpu $p $n"}) { $cbr++; $tbrk{"$cpu $p $n"}--; }
		}
		$pcur{$cpu} = $n;
		push @{$psw{$cpu}}, [$ts, $p, $n];
		$psw++ if $pair{$n};
	} elsif ($ev eq 'sched:sched_wakeup:' && $l =~ /\bpid=(\d+)/) {
		next unless $pair{$1};
		$pwk++;
		push @{$pwk{"$cpu $1"}}, $ts;
	}
}
# the overlap, and in it a two-pointer walk per CPU over both switch streams
my ($tonly, $tonly_idle, $tonly_pair, $ponly, $first, $olo, $ohi) = (0, 0, 0, 0, 'none');
my $W = 200000;
if (defined $tlo && defined $plo) {
	$olo = ($tlo > $plo ? $tlo : $plo) + 1000000;
	$ohi = ($thi < $phi ? $thi : $phi) - 1000000;
	my %cpus = map { $_ => 1 } keys %tsw, keys %psw;
	for my $cpu (sort { $a <=> $b } keys %cpus) {
		# perf reads each CPU's buffer on its own: at its start and stop one
		# CPU's stream may begin later or end earlier than the others', so
		# the span is also cut to perf's first and last switch on this CPU
		my $ps = $psw{$cpu} || [];
		my ($lo, $hi) = ($olo, $ohi);
		if (@$ps) {
			$lo = $ps->[0][0] + 1000000 if $ps->[0][0] + 1000000 > $lo;
			$hi = $ps->[-1][0] - 1000000 if $ps->[-1][0] - 1000000 < $hi;
		}
		# each side's events in the span; the other side's just past its ends
		# stay available for a match (the two time stamps of one switch differ)
		my @a = grep { $_->[0] >= $lo - $W && $_->[0] <= $hi + $W } @{$tsw{$cpu} || []};
		my @b = grep { $_->[0] >= $lo - $W && $_->[0] <= $hi + $W } @$ps;
		my ($i, $j) = (0, 0);
		my $in = sub { $_[0][0] >= $lo && $_[0][0] <= $hi };
		my $same = sub { $_[0][1] == $_[1][1] && $_[0][2] == $_[1][2] && abs($_[0][0] - $_[1][0]) < $W };
		my $miss = sub {
			my ($who, $e) = @_;
			return unless $in->($e);
			if ($who eq 'tl') {
				$tonly++;
				$tonly_idle++ if $e->[1] == 0;
				$tonly_pair++ if $pair{$e->[2]};
			} else {
				$ponly++;
			}
			$first = "cpu $cpu ts $e->[0]: $e->[1]->$e->[2] only in $who" if $first eq 'none';
		};
		while ($i < @a || $j < @b) {
			if ($i < @a && $j < @b && $same->($a[$i], $b[$j])) { $i++; $j++; next; }
			# no match here: the side whose next event matches a little further
			# on the other side is the one that saw less; else the earlier one
			my ($ka, $kb) = (0, 0);
			if ($i < @a && $j < @b) {
				for my $k (1 .. 4) {
					$kb = $k, last if $j + $k < @b && $same->($a[$i], $b[$j + $k]);
					$ka = $k, last if $i + $k < @a && $same->($a[$i + $k], $b[$j]);
				}
			}
			if ($kb) { $miss->('perf', $b[$j++]) for 1 .. $kb; }
			elsif ($ka) { $miss->('tl', $a[$i++]) for 1 .. $ka; }
			elsif ($j >= @b || ($i < @a && $a[$i][0] <= $b[$j][0])) { $miss->('tl', $a[$i++]); }
			else { $miss->('perf', $b[$j++]); }
		}
	}
}
# the pair's wakeups perf saw in the overlap, each matched in order to the
# first timeline wakeup on the same cpu for the same pid not matched yet and
# within W (both lists in time order: a two-pointer walk).  In order, not the
# nearest: the two stamps of one wakeup are taken by two probes one after the
# other and are seen up to ~40 us apart here (a vCPU preempted between them),
# more than the pair's wakeups are apart on one CPU (~16 us), so the nearest
# can be the next wakeup and every later match shifts by one.
my ($wunm, $wmax, $wfirst) = (0, 0, 'none');
for my $k (sort keys %pwk) {
	my @a = @{$twk{$k} || []};
	my $i = 0;
	for my $p (@{$pwk{$k}}) {
		next unless defined $olo && $p >= $olo && $p <= $ohi;
		$i++ while $i < @a && $a[$i] < $p - $W;
		if ($i < @a && abs($a[$i] - $p) < $W) {
			$wmax = abs($a[$i] - $p) if abs($a[$i] - $p) > $wmax;
			$i++;
			next;
		}
		$wunm++;
		$wfirst = "cpu/pid $k ts $p only in perf" if $wfirst eq 'none';
	}
}
my $inside = defined $pairlo && defined $olo && $pairlo > $olo && $pairhi < $ohi ? 1 : 0;
print "tl_switch_in $tsw\ntl_wakeup $twk\nperf_switch_in $psw\nperf_wakeup $pwk\n";
print "pair_inside $inside\ncpu_inversions $inv\nlate_records $late\nwakeups_unanswered $unans\n";
print "tl_breaks $tbr\nperf_breaks $pbr\ncommon_breaks $cbr\n";
printf "overlap_ms %d\n", defined $olo ? ($ohi - $olo) / 1e6 : 0;
print "tl_only $tonly\ntl_only_from_idle $tonly_idle\ntl_only_pair $tonly_pair\n";
print "perf_only $ponly\nfirst_diff $first\n";
print "perf_wakeup_unmatched $wunm\nwakeup_max_dt_ns $wmax\nfirst_wakeup_diff $wfirst\n";
