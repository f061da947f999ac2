// SPDX-License-Identifier: MIT
/*
 * Test helper for tests/host/bpfdump.t: a BPF arena of 16 pages mapped by
 * this process, with pages 2 and 5 written (so present in its page tables)
 * and the rest never touched.  Prints "arena ID ADDR", then "ready", and
 * holds it until stdin closes.  Exit 77 when the kernel has no arenas.
 * --unmapped: the arena is created and held by its fd only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#define PAGES 16
#define MAP_ARENA 33		/* BPF_MAP_TYPE_ARENA (6.9+) */
#define F_MMAPABLE (1U << 10)	/* BPF_F_MMAPABLE */

int main(int argc, char **argv)
{
	int unmapped = argc > 1 && !strcmp(argv[1], "--unmapped");
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = F_MMAPABLE);
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	unsigned char *p;
	char buf[16];
	int fd;

	fd = bpf_map_create(MAP_ARENA, "kt_arena", 0, 0, PAGES, &o);
	if (fd < 0) {
		fprintf(stderr, "arena_helper: create: %s\n", strerror(errno));
		return errno == EINVAL || errno == EOPNOTSUPP ? 77 : 1;
	}
	if (unmapped) {	/* nobody maps it: the fd keeps it */
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return 1;
		printf("arena %u 0\nready\n", info.id);
		fflush(stdout);
		while (read(0, buf, sizeof(buf)) > 0)
			;
		return 0;
	}
	p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "arena_helper: mmap: %s\n", strerror(errno));
		return 1;
	}
	memset(p + 2 * 4096, 0xa5, 64);
	memcpy(p + 2 * 4096 + 100, "ktbox-arena-page-2", 18);
	memcpy(p + 5 * 4096, "ktbox-arena-page-5", 18);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 1;
	/* the fd stays open, as a scheduler's loader keeps its map fds */
	printf("arena %u %lx\nready\n", info.id, (unsigned long)p);
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
