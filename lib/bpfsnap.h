/* SPDX-License-Identifier: MIT */
/*
 * The pre-failure snapshot ring of BPF maps (bpfdump watch, capture).
 *
 * Map fds are opened once, at the first snapshot, and held: the maps
 * outlive their scheduler and the final snapshot sees the state it died
 * in.  The oldest snapshot in the ring is a full copy of every map (the
 * base); every later one stores what changed since the one before (keys
 * set, keys deleted), so a snapshot of a 1M-entry map in which 1% changes
 * costs about 1%.  Dropping the oldest applies its successor to the base.
 * The byte budget counts the base, the current state and every delta;
 * over budget, the oldest snapshots go first.
 *
 * On disk (kt_snapring_write, atomic: DIR.tmp-PID renamed to DIR):
 *   manifest.json   schema, maps, snapshots (seq, real_ns, mono_ns,
 *                   partial, final, changes), trigger, budget, dropped
 *   map-ID.jsonl    line 1 {"snap":S,"base":[["KEYHEX","VALHEX"],...]}
 *                   then {"snap":S,"set":[[K,V],...],"del":[K,...]} per snapshot
 *   map-ID.btf      the map's BTF (raw), when it has one
 */
#ifndef KT_BPFSNAP_H
#define KT_BPFSNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

#define KT_SNAP_DEFAULT_DEPTH 60 /* ktstr's DEFAULT_SNAPSHOT_RING_DEPTH */

/* A map's entries by key: records of key+value bytes, open addressing. */
struct kt_kvtab {
	uint32_t ks, vs;
	unsigned char *rec; /* nrec records of ks + vs bytes */
	uint32_t *gen;	    /* the walk that last saw each record */
	uint8_t *live;
	size_t nrec, caprec, nlive;
	uint32_t *slot; /* record index + 1; 0 empty; UINT32_MAX deleted */
	size_t nslot, used;
};

/* What changed in one map between two snapshots. */
struct kt_delta {
	unsigned char *set; /* nset records of ks + vs: added or changed */
	unsigned char *del; /* ndel keys */
	size_t nset, ndel;
};

struct kt_snapmap {
	int fd;
	struct bpf_map_info info;
	size_t vbytes;
	const char *skip; /* not snapshotted: why */
	struct kt_kvtab base, cur;
	void *btf_raw;
	uint32_t btf_size;
};

struct kt_snap {
	uint64_t seq, real_ns, mono_ns;
	bool partial, final;
	struct kt_delta *d; /* per map; NULL for the base snapshot */
	size_t changes;
};

struct kt_snapring {
	struct kt_snapmap *maps;
	size_t nmaps;
	struct kt_snap *snaps; /* oldest first */
	size_t nsnaps, depth;
	uint64_t budget, bytes, next_seq, dropped;
	bool over_budget; /* even the base did not fit: snapshots stopped */
	bool no_batch;
	uint32_t gen;
};

/* Open and hold the maps IDS (N); 0 or -errno (a map that cannot be
 * opened is an error: it is named in ERRID). */
int kt_snapring_init(struct kt_snapring *r, const uint32_t *ids, size_t n, size_t depth,
		     uint64_t budget, uint32_t *errid);
/* Take one snapshot; 0 (PARTIAL set when a map could not be read whole),
 * 1 when the budget stopped it, or -errno. */
int kt_snapring_take(struct kt_snapring *r, bool final);
/* Write the ring to DIR atomically; TRIGGER and DELAY_NS go to the manifest. */
int kt_snapring_write(const struct kt_snapring *r, const char *dir, const char *trigger,
		      int64_t delay_ns);
void kt_snapring_free(struct kt_snapring *r);

/* The table (pure, for tests): upsert returns 0 unchanged, 1 added, 2 changed. */
int kt_kvtab_init(struct kt_kvtab *t, uint32_t ks, uint32_t vs);
int kt_kvtab_upsert(struct kt_kvtab *t, const unsigned char *k, const unsigned char *v,
		    uint32_t gen);
int kt_kvtab_del(struct kt_kvtab *t, const unsigned char *k);
/* The value stored for K, or NULL. */
unsigned char *kt_kvtab_get(const struct kt_kvtab *t, const unsigned char *k);
/* Render a ring written by kt_snapring_write (bpfdump show). 0 or -errno
 * (what failed is said on stderr). */
struct kt_buf;
struct jw;
int kt_snapring_show(const char *dir, struct kt_buf *text, struct jw *w);
void kt_kvtab_free(struct kt_kvtab *t);

#endif
