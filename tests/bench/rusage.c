// SPDX-License-Identifier: MIT
/*
 * rusage N CMD [ARGS...]: run CMD N times (stdout/stderr to /dev/null) and
 * print "wall_us_per_run max_rss_kib cpu_us_per_run" — wall time per run,
 * the largest peak RSS of any run, and user + system CPU time per run
 * (the children CMD waited for included: a pipeline counts every process;
 * microseconds, where time(1) rounds to 10 ms).  A bench helper, built
 * with the host compiler.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	long max_rss = 0;
	double cpu_us = 0;
	int n;

	if (argc < 3 || (n = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: rusage N CMD [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < n; i++) {
		struct rusage ru;
		int st;
		pid_t p = fork();

		if (p == 0) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			dup2(fd, 2);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		if (p < 0 || wait4(p, &st, 0, &ru) < 0)
			return 1;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
			return fprintf(stderr, "rusage: cannot run %s\n", argv[2]), 1;
		if (ru.ru_maxrss > max_rss)
			max_rss = ru.ru_maxrss;
		cpu_us += (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec +
			  ru.ru_stime.tv_usec;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f %ld %.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 / n,
	       max_rss, cpu_us / n);
	return 0;
}
