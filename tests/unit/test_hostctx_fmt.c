// SPDX-License-Identifier: MIT
/* hostctx: format_human, JSON shape and round trip, diff renderings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostctx.h"
#include "jsonr.h"
#include "tap.h"

/* ktstr's HostContext::test_fixture(), spelled out. */
static void fixture(struct hostctx *c)
{
	memset(c, 0, sizeof(*c));
	c->cpu_model = strdup("Intel(R) Xeon(R) Test CPU");
	c->cpu_vendor = strdup("GenuineIntel");
	c->total_memory_kib = 64ull * 1024 * 1024;
	c->hugepages_total = 0;
	c->hugepages_free = 0;
	c->hugepages_size_kib = 2048;
	c->thp_enabled = strdup("always [madvise] never");
	c->thp_defrag = strdup("always defer defer+madvise [madvise] never");
	c->ntunables = 2;
	c->tunables = calloc(2, sizeof(*c->tunables));
	c->tunables[0] = (struct hc_kv){strdup("sched_latency_ns"), strdup("24000000")};
	c->tunables[1] = (struct hc_kv){strdup("sched_migration_cost_ns"), strdup("500000")};
	c->online_cpus = 16;
	c->numa_nodes = 2;
	c->ngov = 16;
	c->gov = calloc(16, sizeof(*c->gov));
	for (int i = 0; i < 16; i++)
		c->gov[i] = (struct hc_gov){(uint64_t)i, strdup("performance")};
	c->kernel_name = strdup("Linux");
	c->kernel_release = strdup("6.16.0-test");
	c->arch = strdup("x86_64");
	c->kernel_cmdline = strdup("BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda1");
	c->task_delayacct = HC_DA_ON;
	c->config_task_xacct = HC_XA_ON;
	c->heap = (struct hc_heap){0x1f, 1 << 20, 512 * 1024, 2 << 20, 4 << 20, 64};
	c->has = HC_TOTAL_MEMORY | HC_HP_TOTAL | HC_HP_FREE | HC_HP_SIZE | HC_TUNABLES |
		 HC_ONLINE_CPUS | HC_NUMA_NODES | HC_HEAP;
}

static char *json_of(const struct hostctx *c, int pretty)
{
	struct kt_buf b = {0};
	struct jw w;

	jw_init_buf(&w, &b, pretty);
	hc_json(&w, c);
	return b.p;
}

static char *human_of(const struct hostctx *c)
{
	struct kt_buf b = {0};

	hc_human(&b, c);
	return b.p;
}

static char *diff_of(const struct hostctx *a, const struct hostctx *b, bool *d)
{
	struct kt_buf o = {0};

	*d = hc_diff(&o, a, b);
	return o.p ? o.p : strdup("");
}

static void set(char **f, const char *v)
{
	free(*f);
	*f = v ? strdup(v) : NULL;
}

static void test_human(void)
{
	struct hostctx c = {0};
	char *s;

	s = human_of(&c);
	is_str(s,
	       "kernel_name: (unknown)\nkernel_release: (unknown)\narch: (unknown)\n"
	       "cpu_model: (unknown)\ncpu_vendor: (unknown)\ntotal_memory_kib: (unknown)\n"
	       "hugepages_total: (unknown)\nhugepages_free: (unknown)\n"
	       "hugepages_size_kib: (unknown)\nonline_cpus: (unknown)\nnuma_nodes: (unknown)\n"
	       "thp_enabled: (unknown)\nthp_defrag: (unknown)\nkernel_cmdline: (unknown)\n"
	       "task_delayacct: (unknown)\nconfig_task_xacct: (unknown)\n"
	       "cpufreq_governor: (empty)\nsched_tunables: (unknown)\nheap_state: (unknown)\n",
	       "format_human of the default: field order, (unknown), (empty)");
	free(s);
	fixture(&c);
	c.ngov = 2;
	s = human_of(&c);
	is_str(s,
	       "kernel_name: Linux\nkernel_release: 6.16.0-test\narch: x86_64\n"
	       "cpu_model: Intel(R) Xeon(R) Test CPU\ncpu_vendor: GenuineIntel\n"
	       "total_memory_kib: 67108864\nhugepages_total: 0\nhugepages_free: 0\n"
	       "hugepages_size_kib: 2048\nonline_cpus: 16\nnuma_nodes: 2\n"
	       "thp_enabled: always [madvise] never\n"
	       "thp_defrag: always defer defer+madvise [madvise] never\n"
	       "kernel_cmdline: BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda1\n"
	       "task_delayacct: on\nconfig_task_xacct: on\n"
	       "cpufreq_governor:\n  cpu0 = performance\n  cpu1 = performance\n"
	       "sched_tunables:\n  sched_latency_ns = 24000000\n  sched_migration_cost_ns = "
	       "500000\n"
	       "heap_state:\n  allocated_bytes: 524288\n  active_bytes: 1048576\n"
	       "  resident_bytes: 2097152\n  mapped_bytes: 4194304\n  narenas: 64\n",
	       "format_human of the fixture: nested blocks indented by two");
	free(s);
	c.ngov = 16;
	for (size_t i = 0; i < c.ntunables; i++) {
		free(c.tunables[i].key);
		free(c.tunables[i].val);
	}
	c.ntunables = 0;
	c.task_delayacct = HC_DA_CONFIG_OFF;
	c.config_task_xacct = HC_XA_UNKNOWN;
	s = human_of(&c);
	ok(strstr(s, "sched_tunables: (empty)\n") && strstr(s, "task_delayacct: config-off\n") &&
		   strstr(s, "config_task_xacct: unknown\n"),
	   "empty tunables map: (empty); enums via Display");
	free(s);
	c.task_delayacct = HC_DA_RUNTIME_OFF;
	s = human_of(&c);
	ok(strstr(s, "task_delayacct: runtime-off\n") != NULL, "runtime-off Display");
	ok(s[strlen(s) - 1] == '\n', "ends with a newline");
	free(s);
	hc_free(&c);
}

static void test_json(void)
{
	struct hostctx c, back;
	struct jr_err e;
	char *s, *s2;
	bool d;

	fixture(&c);
	c.ngov = 2;
	s = json_of(&c, 0);
	is_str(s,
	       "{\"cpu_model\":\"Intel(R) Xeon(R) Test CPU\",\"cpu_vendor\":\"GenuineIntel\","
	       "\"total_memory_kib\":67108864,\"hugepages_total\":0,\"hugepages_free\":0,"
	       "\"hugepages_size_kib\":2048,\"thp_enabled\":\"always [madvise] never\","
	       "\"thp_defrag\":\"always defer defer+madvise [madvise] never\","
	       "\"sched_tunables\":{\"sched_latency_ns\":\"24000000\",\"sched_migration_cost_ns\":"
	       "\"500000\"},"
	       "\"online_cpus\":16,\"numa_nodes\":2,"
	       "\"cpufreq_governor\":{\"0\":\"performance\",\"1\":\"performance\"},"
	       "\"kernel_name\":\"Linux\",\"kernel_release\":\"6.16.0-test\",\"arch\":\"x86_64\","
	       "\"kernel_cmdline\":\"BOOT_IMAGE=/boot/vmlinuz-test root=/dev/sda1\","
	       "\"task_delayacct\":\"on\",\"config_task_xacct\":\"on\","
	       "\"heap_state\":{\"active_bytes\":1048576,\"allocated_bytes\":524288,"
	       "\"resident_bytes\":2097152,\"mapped_bytes\":4194304,\"narenas\":64}}",
	       "JSON: serde key order, numbers, nested maps");
	c.ngov = 16;
	/* numeric, not lexical, order of governor keys */
	for (int i = 1; i < 16; i++)
		c.gov[i].cpu = i == 1 ? 2 : (uint64_t)i + 8;
	free(s);
	s = json_of(&c, 0);
	ok(strstr(s, "{\"0\":\"performance\",\"2\":\"performance\",\"10\":") != NULL,
	   "cpufreq_governor keys in numeric order");
	ok(!hc_from_json(s, strlen(s), &back, &e), "own JSON parses back");
	s2 = json_of(&back, 0);
	is_str(s2, s, "round trip is byte-identical");
	free(s2);
	free(diff_of(&c, &back, &d));
	ok(!d, "round trip diff is empty");
	hc_free(&back);
	free(s);
	s = json_of(&c, 1);
	ok(!hc_from_json(s, strlen(s), &back, &e), "pretty JSON parses back");
	ok(strstr(s, "{\n  \"cpu_model\": \"Intel") != NULL, "pretty: two-space indent, ': '");
	hc_free(&back);
	free(s);
	hc_free(&c);
	memset(&c, 0, sizeof(c));
	s = json_of(&c, 0);
	is_str(s, "{}", "all absent: {}");
	free(s);
	c.has = HC_TUNABLES | HC_HEAP;
	c.task_delayacct = HC_DA_RUNTIME_OFF;
	c.config_task_xacct = HC_XA_UNKNOWN;
	s = json_of(&c, 0);
	is_str(s,
	       "{\"sched_tunables\":{},\"task_delayacct\":\"runtime_off\","
	       "\"config_task_xacct\":\"unknown\",\"heap_state\":{}}",
	       "empty tunables kept, empty heap object, snake_case enums");
	ok(!hc_from_json(s, strlen(s), &back, &e) && back.has == (HC_TUNABLES | HC_HEAP),
	   "empty map / empty heap survive the round trip");
	hc_free(&back);
	free(s);
	c.task_delayacct = HC_DA_CONFIG_OFF;
	c.config_task_xacct = HC_XA_OFF;
	s = json_of(&c, 0);
	ok(strstr(s, "\"config_off\"") && strstr(s, "\"off\""), "config_off, off");
	free(s);
}

static void diff_is(const struct hostctx *a, const struct hostctx *b, const char *want,
		    const char *what)
{
	bool d;
	char *s = diff_of(a, b, &d);

	is_str(s, want, "diff: %s", what);
	ok(d == (*want != '\0'), "diff: %s: differs flag", what);
	free(s);
}

static void test_diff(void)
{
	struct hostctx a, b;

	fixture(&a);
	fixture(&b);
	diff_is(&a, &b, "", "identical fixtures");
	set(&b.kernel_release, "6.17.0");
	b.hugepages_total = 4;
	b.has &= ~HC_NUMA_NODES;
	set(&b.cpu_vendor, NULL);
	b.task_delayacct = HC_DA_RUNTIME_OFF;
	b.config_task_xacct = HC_XA_ABSENT;
	diff_is(&a, &b,
		"  kernel_release: 6.16.0-test \u2192 6.17.0\n"
		"  cpu_vendor: GenuineIntel \u2192 (unknown)\n"
		"  hugepages_total: 0 \u2192 4\n"
		"  numa_nodes: 2 \u2192 (unknown)\n"
		"  task_delayacct: on \u2192 runtime-off\n"
		"  config_task_xacct: on \u2192 (unknown)\n",
		"scalars in format order, (unknown) for absent");
	hc_free(&b);
	fixture(&b);
	set(&b.gov[3].gov, "powersave");
	b.ngov = 15;
	free(b.gov[15].gov);
	diff_is(&a, &b,
		"  cpufreq_governor.cpu3: performance \u2192 powersave\n"
		"  cpufreq_governor.cpu15: performance \u2192 (absent)\n",
		"per-CPU governor lines, numeric order, (absent)");
	diff_is(&b, &a,
		"  cpufreq_governor.cpu3: powersave \u2192 performance\n"
		"  cpufreq_governor.cpu15: (absent) \u2192 performance\n",
		"governor present only after");
	hc_free(&b);
	fixture(&b);
	set(&b.tunables[0].val, "1");
	set(&b.tunables[1].key, "sched_zzz");
	diff_is(&a, &b,
		"  sched_tunables.sched_latency_ns: 24000000 \u2192 1\n"
		"  sched_tunables.sched_migration_cost_ns: 500000 \u2192 (absent)\n"
		"  sched_tunables.sched_zzz: (absent) \u2192 500000\n",
		"per-key tunable lines, key order, (absent)");
	b.has &= ~HC_TUNABLES;
	diff_is(&a, &b, "  sched_tunables: (2 entries) \u2192 (unknown)\n",
		"tunables map vs absent");
	b.has |= HC_TUNABLES;
	a.has &= ~HC_TUNABLES;
	b.ntunables = 1;
	diff_is(&a, &b, "  sched_tunables: (unknown) \u2192 (1 entry)\n", "absent vs one entry");
	b.ntunables = 0;
	diff_is(&a, &b, "  sched_tunables: (unknown) \u2192 (empty)\n", "absent vs empty map");
	b.ntunables = 2;
	b.has &= ~HC_TUNABLES;
	diff_is(&a, &b, "", "both tunables absent: no line");
	hc_free(&a);
	hc_free(&b);
	fixture(&a);
	fixture(&b);
	b.heap.allocated_bytes = 9 << 20;
	b.heap.has &= ~HC_HEAP_NARENAS;
	diff_is(&a, &b,
		"  heap_state:\n"
		"    allocated_bytes: 524288 \u2192 9437184\n"
		"    narenas: 64 \u2192 (unknown)\n",
		"nested heap_state block, four-space rows");
	b.has &= ~HC_HEAP;
	diff_is(&a, &b, "  heap_state: (present) \u2192 (unknown)\n", "heap present -> unknown");
	diff_is(&b, &a, "  heap_state: (unknown) \u2192 (present)\n", "heap unknown -> present");
	hc_free(&a);
	hc_free(&b);
}

static void test_heap_diff(void)
{
	struct hc_heap a = {0}, b = {0x1f, 1, 2, 3, 4, 5};
	struct kt_buf o = {0};

	ok(!hc_heap_diff(&o, &b, &b), "heap diff of equal snapshots is empty");
	ok(hc_heap_diff(&o, &a, &b), "heap diff from default differs");
	is_str(o.p,
	       "allocated_bytes: (unknown) \u2192 2\nactive_bytes: (unknown) \u2192 1\n"
	       "resident_bytes: (unknown) \u2192 3\nmapped_bytes: (unknown) \u2192 4\n"
	       "narenas: (unknown) \u2192 5\n",
	       "heap diff rows: no indentation of their own");
	kt_buf_free(&o);
}

static void load_case(const char *json, int ok_want, const char *what)
{
	struct hostctx c;
	struct jr_err e = {0};
	int r = hc_from_json(json, strlen(json), &c, &e);

	ok(ok_want ? r == 0 : r == -1, "load: %s", what);
	if (r && ok_want)
		printf("#   error at %zu: %s\n", e.off, e.msg);
	if (!r)
		hc_free(&c);
}

static void test_load(void)
{
	struct hostctx c, pre, post;
	struct jr_err e = {0};
	const char *s;

	load_case("{}", 1, "empty object");
	load_case("{\"future_field\":[1,{\"x\":null}],\"arch\":\"x\"}", 1, "unknown keys ignored");
	load_case("{\"cpu_model\":null,\"sched_tunables\":null,\"heap_state\":null}", 1,
		  "null = absent");
	load_case("{\"cpufreq_governor\":null}", 0, "cpufreq_governor is not optional");
	load_case("{\"arch\":\"a\",\"arch\":\"b\"}", 0, "duplicate field");
	load_case("{\"online_cpus\":-1}", 0, "negative u64");
	load_case("{\"online_cpus\":1.0}", 0, "float for u64");
	load_case("{\"online_cpus\":18446744073709551616}", 0, "u64 overflow");
	load_case("{\"online_cpus\":18446744073709551615}", 1, "u64 max");
	load_case("{\"online_cpus\":\"3\"}", 0, "string for u64");
	load_case("{\"arch\":3}", 0, "number for string");
	load_case("{\"task_delayacct\":\"config-off\"}", 0, "Display form is not a variant");
	load_case("{\"config_task_xacct\":\"On\"}", 0, "variants are case-sensitive");
	load_case("{\"cpufreq_governor\":{\"01\":\"x\"}}", 0, "governor key with a leading zero");
	load_case("{\"cpufreq_governor\":{\"-1\":\"x\"}}", 0, "negative governor key");
	load_case("{\"cpufreq_governor\":{\"+1\":\"x\"}}", 0, "governor key with a sign");
	load_case("{\"cpufreq_governor\":{\"1\":3}}", 0, "governor value not a string");
	load_case("{\"sched_tunables\":{\"a\":1}}", 0, "tunable value not a string");
	load_case("{\"heap_state\":{\"narenas\":1,\"narenas\":2}}", 0, "duplicate heap field");
	load_case("[]", 0, "not an object");
	load_case("{} {}", 0, "two documents");
	s = "{\"cpufreq_governor\":{\"10\":\"a\",\"2\":\"b\",\"10\":\"c\"},"
	    "\"sched_tunables\":{\"b\":\"1\",\"a\":\"2\",\"b\":\"3\"}}";
	ok(!hc_from_json(s, strlen(s), &c, &e) && c.ngov == 2 && c.gov[0].cpu == 2 &&
		   !strcmp(c.gov[1].gov, "c") && c.ntunables == 2 &&
		   !strcmp(c.tunables[1].val, "3"),
	   "maps sorted; a repeated map key: the last wins");
	hc_free(&c);
	s = "{\"online_cpus\":\"x\"}";
	hc_from_json(s, strlen(s), &c, &e);
	ok(e.off == 15 && strstr(e.msg, "online_cpus"),
	   "type error names the field and offset (%zu: %s)", e.off, e.msg);
	s = "{\"pre\":{\"arch\":\"a\"},\"post\":{\"arch\":\"b\"},\"x\":1}";
	ok(!hc_pair_from_json(s, strlen(s), &pre, &post, &e) && !strcmp(pre.arch, "a") &&
		   !strcmp(post.arch, "b"),
	   "pair parses");
	hc_free(&pre);
	hc_free(&post);
	s = "{\"pre\":{}}";
	ok(hc_pair_from_json(s, strlen(s), &pre, &post, &e) && strstr(e.msg, "post"),
	   "pair without post: error names it");
}

int main(void)
{
	test_human();
	test_json();
	test_diff();
	test_heap_diff();
	test_load();
	return tap_done();
}
