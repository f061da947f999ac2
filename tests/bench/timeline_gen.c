// SPDX-License-Identifier: MIT
/*
 * timeline_gen N FILE: a synthetic capture of about N events: CPUS CPUs,
 * TASKS tasks cycling through them (wakeup, switch in, run, switch out
 * sleeping or preempted), names up front, a migration now and then, the
 * trailer at the end.  For the report/export throughput bench.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

#define CPUS 8
#define TASKS 256
#define BATCH 4096

int main(int argc, char **argv)
{
	static struct timeline_event b[BATCH];
	uint64_t n, i = 0, ts = 1000000000, lost[CPUS] = { 0 };
	uint32_t cur[CPUS] = { 0 }, next = 1;
	struct tl_file_header h;
	struct tl_writer w;
	size_t k = 0;
	FILE *fp;

	if (argc != 3 || !(n = strtoull(argv[1], NULL, 10))) {
		fprintf(stderr, "usage: timeline_gen N FILE\n");
		return 2;
	}
	fp = fopen(argv[2], "w");
	if (!fp)
		return 1;
	tl_header_init(&h, CPUS);
	h.start_ns = ts;
	h.attached = h.requested = 1u << TL_AT_SWITCH | 1u << TL_AT_WAKEUP | 1u << TL_AT_MIGRATE;
	tl_write_header(&w, fp, &h);
	for (uint32_t t = 1; t <= TASKS; t++) {
		struct timeline_event c = { TL_EVT_COMM, 0, ts, 1000 + t, 1000, 0, 0 };

		snprintf((char *)&c + 24, 16, "worker-%u", t);
		tl_write_records(&w, &c, 1);
	}
	while (i < n) {
		uint32_t cpu = (uint32_t)(i % CPUS), pid = 1000 + next;
		bool preempt = (i % 7) == 0;

		next = next % TASKS + 1;
		ts += 1000 + (i * 7919) % 5000;
		b[k++] = (struct timeline_event){ TL_EVT_WAKEUP, (cpu + 1) % CPUS, ts, pid, 0, cpu, 0 };
		ts += 500 + (i * 104729) % 20000;
		b[k++] = (struct timeline_event){ TL_EVT_SWITCH, cpu, ts, cur[cpu], pid,
						  preempt ? 0 : 1, preempt };
		cur[cpu] = pid;
		i += 2;
		if (i % 101 == 0) {
			b[k++] = (struct timeline_event){ TL_EVT_MIGRATE, cpu, ts, pid, 0,
							  (cpu + 3) % CPUS, cpu };
			i++;
		}
		if (k >= BATCH - 3) {
			tl_write_records(&w, b, k);
			k = 0;
		}
	}
	tl_write_records(&w, b, k);
	tl_write_trailer(&w, ts, 0, 0, lost, CPUS);
	return fclose(fp) ? 1 : 0;
}
