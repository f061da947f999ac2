// SPDX-License-Identifier: MIT
/* The recorder's merge of per-CPU record streams into time order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"
#include "timeline_merge.h"

int tl_merge_init(struct tl_merge *m, uint32_t ncpus)
{
	memset(m, 0, sizeof(*m));
	m->nq = ncpus + 1;
	m->q = calloc(m->nq, sizeof(*m->q));
	m->heap = calloc(m->nq, sizeof(*m->heap));
	if (!m->q || !m->heap) {
		tl_merge_free(m);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void tl_merge_free(struct tl_merge *m)
{
	if (m->q)
		for (uint32_t i = 0; i < m->nq; i++)
			free(m->q[i].buf);
	free(m->q);
	free(m->heap);
	memset(m, 0, sizeof(*m));
}

static uint32_t queue_of(const struct tl_merge *m, const unsigned char *rec)
{
	uint32_t cpu = tl_rd32(rec + 4);

	return cpu < m->nq - 1 ? cpu : m->nq - 1;
}

static int mq_put(struct tl_mq *q, const unsigned char *p, size_t len)
{
	if (q->head == q->len) {
		q->head = 0;
		q->len = 0;
	}
	if (q->len + len > q->cap && q->head) {
		memmove(q->buf, q->buf + q->head, q->len - q->head);
		q->len -= q->head;
		q->head = 0;
	}
	if (q->len + len > q->cap) {
		size_t cap = q->cap ? q->cap : 64 * TL_RECORD_SIZE;
		unsigned char *nb;

		while (cap < q->len + len)
			cap *= 2;
		nb = realloc(q->buf, cap);
		if (!nb)
			return -1;
		q->buf = nb;
		q->cap = cap;
	}
	memcpy(q->buf + q->len, p, len);
	q->len += len;
	return 0;
}

int tl_merge_push(struct tl_merge *m, const void *recs, size_t nrec, tl_merge_fn fn, void *arg)
{
	const unsigned char *p = recs;
	size_t i = 0;

	while (i < nrec) {
		uint32_t qi = queue_of(m, p + i * TL_RECORD_SIZE);
		size_t j = i + 1;
		int rc;

		while (j < nrec && queue_of(m, p + j * TL_RECORD_SIZE) == qi)
			j++;
		if (!mq_put(&m->q[qi], p + i * TL_RECORD_SIZE, (j - i) * TL_RECORD_SIZE)) {
			m->held += j - i;
			i = j;
			continue;
		}
		/* out of memory: what is held, then the rest as it came */
		rc = tl_merge_emit(m, UINT64_MAX, fn, arg);
		if (!rc)
			rc = fn(arg, p + i * TL_RECORD_SIZE, nrec - i);
		return rc;
	}
	return 0;
}

static uint64_t head_ts(const struct tl_merge *m, uint32_t qi)
{
	return tl_rd64(m->q[qi].buf + m->q[qi].head + 8);
}

/* queue A's first record before queue B's: by time, then queue number */
static int before_q(const struct tl_merge *m, uint32_t a, uint32_t b)
{
	uint64_t ta = head_ts(m, a), tb = head_ts(m, b);

	return ta < tb || (ta == tb && a < b);
}

static void sift_down(struct tl_merge *m, size_t n, size_t i)
{
	uint32_t *h = m->heap;

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i;
		uint32_t t;

		if (l < n && before_q(m, h[l], h[min]))
			min = l;
		if (r < n && before_q(m, h[r], h[min]))
			min = r;
		if (min == i)
			return;
		t = h[i];
		h[i] = h[min];
		h[min] = t;
		i = min;
	}
}

int tl_merge_emit(struct tl_merge *m, uint64_t before, tl_merge_fn fn, void *arg)
{
	size_t n = 0;
	int rc = 0;

	for (uint32_t i = 0; i < m->nq; i++)
		if (m->q[i].head < m->q[i].len)
			m->heap[n++] = i;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(m, n, i);
	while (n) {
		uint32_t qi = m->heap[0], top;
		struct tl_mq *q = &m->q[qi];
		uint64_t lim = UINT64_MAX, ts;
		size_t k = 0, off = q->head;

		if (head_ts(m, qi) >= before)
			break;
		/* the next queue's first record bounds this run */
		if (n > 1) {
			top = m->heap[1];
			if (n > 2 && before_q(m, m->heap[2], top))
				top = m->heap[2];
			lim = head_ts(m, top);
			if (qi > top) /* a tie goes to the lower queue */
				lim--;
		}
		for (; off < q->len; off += TL_RECORD_SIZE, k++) {
			ts = tl_rd64(q->buf + off + 8);
			if (ts >= before || (k && ts > lim))
				break;
		}
		rc = fn(arg, q->buf + q->head, k);
		if (rc)
			break;
		q->head = off;
		m->held -= k;
		if (q->head == q->len) {
			q->head = 0;
			q->len = 0;
			m->heap[0] = m->heap[--n];
		}
		sift_down(m, n, 0);
	}
	return rc;
}
