// SPDX-License-Identifier: MIT
/*
 * bpf_floor ID: the floor of any map dump: BPF_MAP_LOOKUP_BATCH over map
 * ID with the same batch size as bpfdump (4 MiB of keys + values), writing
 * nothing.  Prints the entry count.  A bench helper.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info), in = 0, out = 0, count, n;
	unsigned long long total = 0;
	size_t vb;
	void *k, *v;
	int fd, first = 1;

	if (argc != 2)
		return 2;
	fd = bpf_map_get_fd_by_id((uint32_t)atoi(argv[1]));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 1;
	vb = info.value_size;
	if (info.type == BPF_MAP_TYPE_PERCPU_ARRAY || info.type == BPF_MAP_TYPE_PERCPU_HASH)
		vb = ((vb + 7) & ~7ul) * (size_t)libbpf_num_possible_cpus();
	n = (uint32_t)((4u << 20) / (info.key_size + vb));
	if (n > 16384)
		n = 16384;
	k = malloc((size_t)n * info.key_size);
	v = malloc((size_t)n * vb);
	for (;;) {
		int r;

		count = n;
		r = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, k, v, &count, NULL);
		total += count;
		if (r && errno == ENOENT)
			break;
		if (r)
			return 1;
		in = out;
		first = 0;
	}
	printf("%llu\n", total);
	return 0;
}
