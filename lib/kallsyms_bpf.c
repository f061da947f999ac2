// SPDX-License-Identifier: MIT
/*
 * Exact sizes of JITed BPF programs for a live kallsyms table: the kernel
 * knows each program's (and subprogram's) JITed length and reports it with
 * its kallsyms address through bpf(BPF_OBJ_GET_INFO_BY_FD).  This is how
 * "bpf_prog_<tag>_<name>+0xOFF/0xSIZE" can be printed exactly as %pS does.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "kallsyms.h"

/* Size the symbols of one program; returns how many were sized. */
static int size_prog(struct kt_ksyms *t, int fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), n;
	uint64_t *addrs = NULL;
	uint32_t *lens = NULL;
	int sized = 0;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	n = info.nr_jited_ksyms < info.nr_jited_func_lens ? info.nr_jited_ksyms
							  : info.nr_jited_func_lens;
	if (!n)
		return 0;
	addrs = calloc(n, sizeof(*addrs));
	lens = calloc(n, sizeof(*lens));
	if (!addrs || !lens)
		goto out;
	memset(&info, 0, sizeof(info));
	info.nr_jited_ksyms = n;
	info.jited_ksyms = (uint64_t)(uintptr_t)addrs;
	info.nr_jited_func_lens = n;
	info.jited_func_lens = (uint64_t)(uintptr_t)lens;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		goto out;
	for (uint32_t i = 0; i < n; i++)
		if (addrs[i]) /* zero when raw addresses are not allowed */
			sized += kt_ksyms_set_bpf_size(t, addrs[i], lens[i]);
out:
	free(addrs);
	free(lens);
	return sized;
}

int kt_ksyms_bpf_sizes(struct kt_ksyms *t)
{
	uint32_t id = 0;
	int sized = 0;

	for (;;) {
		int fd;

		if (bpf_prog_get_next_id(id, &id)) {
			if (errno == ENOENT)
				return sized;
			return -1;
		}
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue; /* unloaded meanwhile */
		sized += size_prog(t, fd);
		close(fd);
	}
}
