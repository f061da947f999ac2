// SPDX-License-Identifier: MIT
/* The snapshot ring's key/value table (lib/bpfsnap.c), pure parts. */
#include <stdlib.h>
#include <string.h>

#include "bpfsnap.h"
#include "tap.h"

int main(void)
{
	struct kt_kvtab t;
	uint32_t k, v;
	int bad = 0;

	ok(!kt_kvtab_init(&t, 4, 4), "init");
	k = 1, v = 10;
	is_int(kt_kvtab_upsert(&t, (void *)&k, (void *)&v, 1), 1, "new key: added");
	is_int(kt_kvtab_upsert(&t, (void *)&k, (void *)&v, 2), 0, "same value: unchanged");
	v = 11;
	is_int(kt_kvtab_upsert(&t, (void *)&k, (void *)&v, 3), 2, "other value: changed");
	ok(kt_kvtab_get(&t, (void *)&k) && !memcmp(kt_kvtab_get(&t, (void *)&k), &v, 4), "get");
	is_int(kt_kvtab_del(&t, (void *)&k), 1, "delete");
	ok(!kt_kvtab_get(&t, (void *)&k), "deleted key is gone");
	is_int(kt_kvtab_del(&t, (void *)&k), 0, "delete twice: nothing");
	/* many keys, deletes and re-adds: rehash and compaction keep every live key */
	for (k = 0; k < 50000; k++) {
		v = k * 3;
		if (kt_kvtab_upsert(&t, (void *)&k, (void *)&v, 4) != 1)
			bad++;
	}
	for (k = 0; k < 50000; k += 2)
		if (kt_kvtab_del(&t, (void *)&k) != 1)
			bad++;
	for (k = 0; k < 50000; k++) {
		unsigned char *p = kt_kvtab_get(&t, (void *)&k);

		v = k * 3;
		if ((k & 1) ? !p || memcmp(p, &v, 4) : p != NULL)
			bad++;
	}
	is_int(bad, 0, "50000 keys, half deleted: exactly the rest remain");
	is_int(t.nlive, 25000, "live count");
	kt_kvtab_free(&t);
	return tap_done();
}
