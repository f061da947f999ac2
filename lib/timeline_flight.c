// SPDX-License-Identifier: MIT
/* The flight recorder's ring: the last seconds of records, bounded in bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

int tl_flight_init(struct tl_flight *f, size_t budget, uint64_t window_ns)
{
	memset(f, 0, sizeof(*f));
	f->cap = budget / TL_RECORD_SIZE;
	if (!f->cap) {
		errno = EINVAL;
		return -1;
	}
	f->buf = malloc(f->cap * TL_RECORD_SIZE);
	if (!f->buf)
		return -1;
	f->window_ns = window_ns;
	return 0;
}

void tl_flight_free(struct tl_flight *f)
{
	free(f->buf);
	tl_comms_free(&f->comms);
	memset(f, 0, sizeof(*f));
}

static unsigned char *at(const struct tl_flight *f, size_t i)
{
	return f->buf + ((f->head + i) % f->cap) * TL_RECORD_SIZE;
}

static uint32_t type_of(const unsigned char *r)
{
	return tl_rd32(r);
}

static uint64_t ts_of(const unsigned char *r)
{
	return tl_rd64(r + 8);
}

static void drop_head(struct tl_flight *f)
{
	f->head = (f->head + 1) % f->cap;
	f->n--;
	f->dropped++;
}

static void learn(struct tl_flight *f, const unsigned char *r)
{
	struct tl_event ev;
	uint32_t t = type_of(r);

	if (t != TL_EVT_COMM && t != TL_EVT_FORK)
		return;
	parse_record(r, TL_RECORD_SIZE, &ev);
	tl_comms_learn(&f->comms, &ev);
}

void tl_flight_push(struct tl_flight *f, const void *recs, size_t nrec)
{
	const unsigned char *p = recs;

	for (size_t i = 0; i < nrec; i++, p += TL_RECORD_SIZE) {
		uint64_t ts = ts_of(p);

		learn(f, p);
		if (f->n == f->cap)
			drop_head(f);
		memcpy(at(f, f->n), p, TL_RECORD_SIZE);
		f->n++;
		if (ts > f->newest)
			f->newest = ts;
	}
	while (f->n && f->window_ns && ts_of(at(f, 0)) + f->window_ns < f->newest)
		drop_head(f);
	/* continuations whose header went */
	while (f->n && type_of(at(f, 0)) == TL_EVT_TEXT)
		drop_head(f);
}

int tl_flight_write(struct tl_flight *f, struct tl_writer *w)
{
	uint64_t ts = f->n ? ts_of(at(f, 0)) : f->newest;
	size_t first;

	for (size_t i = 0; i < f->comms.cap; i++) {
		const struct tl_comm_ent *e = &f->comms.tab[i];
		struct timeline_event r = {TL_EVT_COMM, TL_CPU_NONE, ts, e->pid, e->tgid, 0, 0};

		if (!e->pid)
			continue;
		memcpy((unsigned char *)&r + 24, e->comm, 16);
		if (tl_write_records(w, &r, 1))
			return -1;
	}
	/* the ring in at most two runs */
	first = f->cap - f->head < f->n ? f->cap - f->head : f->n;
	if (first && tl_write_records(w, at(f, 0), first))
		return -1;
	if (f->n > first && tl_write_records(w, f->buf, f->n - first))
		return -1;
	return 0;
}
