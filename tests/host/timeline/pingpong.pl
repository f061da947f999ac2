#!/usr/bin/perl
# Two processes ping-pong one byte over a pair of pipes N times; prints
# "PARENT_PID CHILD_PID" when done.
use strict;
use warnings;
my $n = shift // 1000;
pipe(my $r1, my $w1) or die "pipe: $!";
pipe(my $r2, my $w2) or die "pipe: $!";
my $child = fork // die "fork: $!";
if (!$child) {
	close $w1; close $r2;
	my $b;
	for (1 .. $n) {
		sysread($r1, $b, 1) == 1 or exit 1;
		syswrite($w2, $b, 1) == 1 or exit 1;
	}
	exit 0;
}
close $r1; close $w2;
my $b;
for (1 .. $n) {
	syswrite($w1, "x", 1) == 1 or die "write: $!";
	sysread($r2, $b, 1) == 1 or die "read: $!";
}
waitpid($child, 0);
print "$$ $child\n";
