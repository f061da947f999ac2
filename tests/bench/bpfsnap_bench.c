// SPDX-License-Identifier: MIT
/*
 * bpfsnap_bench [N]: the cost of bpfdump watch's snapshots on an N-entry
 * hash (4-byte keys, 8-byte values; default 1M) in which 1% of the entries
 * change between snapshots: the first (full) snapshot, each later one (a
 * delta), the bytes each adds to the ring, and writing the ring.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpfsnap.h"
#include "loop.h"

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)atoi(argv[1]) : 1000000, chunk = 8192, id;
	uint32_t *keys = malloc(chunk * 4);
	uint64_t *vals = malloc(chunk * 8);
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info), errid;
	struct kt_snapring r;
	double first, sum = 0;
	uint64_t t0, bytes0;
	char dir[64];
	int fd, rounds = 5;

	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "kt_snapb", 4, 8, n, NULL);
	if (fd < 0)
		return perror("map"), 1;
	for (uint32_t b = 0; b < n; b += chunk) {
		uint32_t c = n - b < chunk ? n - b : chunk;

		for (uint32_t i = 0; i < c; i++)
			keys[i] = b + i, vals[i] = b + i;
		bpf_map_update_batch(fd, keys, vals, &c, NULL);
	}
	bpf_obj_get_info_by_fd(fd, &info, &len);
	id = info.id;
	if (kt_snapring_init(&r, &id, 1, 60, 0, &errid))
		return fprintf(stderr, "init failed\n"), 1;
	t0 = kt_mono_ns();
	kt_snapring_take(&r, false);
	first = (double)(kt_mono_ns() - t0) / 1e6;
	bytes0 = r.bytes;
	for (int k = 1; k <= rounds; k++) {
		/* 1% of the keys, spread over the map, get a new value */
		for (uint32_t b = 0; b < n / 100; b += chunk) {
			uint32_t c = n / 100 - b < chunk ? n / 100 - b : chunk;

			for (uint32_t i = 0; i < c; i++)
				keys[i] = (b + i) * 100 + (uint32_t)k, vals[i] = (uint64_t)k << 40;
			bpf_map_update_batch(fd, keys, vals, &c, NULL);
		}
		t0 = kt_mono_ns();
		kt_snapring_take(&r, false);
		sum += (double)(kt_mono_ns() - t0) / 1e6;
	}
	printf("entries %u\n", n);
	printf("first_snapshot_ms %.1f\n", first);
	printf("delta_snapshot_ms %.1f\n", sum / rounds);
	printf("base_bytes %llu\n", (unsigned long long)bytes0);
	printf("delta_bytes_per_snapshot %llu\n", (unsigned long long)((r.bytes - bytes0) / rounds));
	printf("changes_per_snapshot %zu\n", r.snaps[1].changes);
	snprintf(dir, sizeof(dir), "/tmp/kt_snapb.%d", (int)getpid());
	t0 = kt_mono_ns();
	kt_snapring_write(&r, dir, "bench", -1);
	printf("write_ring_ms %.1f\n", (double)(kt_mono_ns() - t0) / 1e6);
	kt_snapring_free(&r);
	close(fd);
	return 0;
}
