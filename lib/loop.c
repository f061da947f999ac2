// SPDX-License-Identifier: MIT
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

uint64_t kt_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t kt_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void kt_sleep(double sec)
{
	struct timespec ts = {(time_t)sec, (long)((sec - (double)(time_t)sec) * 1e9)};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int kt_loop_init(struct kt_loop *l)
{
	memset(l, 0, sizeof(*l));
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -1 : 0;
}

void kt_loop_free(struct kt_loop *l)
{
	for (int i = 0; i < l->nsrc; i++)
		if (l->src[i].kind != KT_SRC_FREE && l->src[i].owned)
			close(l->src[i].fd);
	if (l->have_sig)
		sigprocmask(SIG_SETMASK, &l->saved, NULL);
	if (l->epfd >= 0)
		close(l->epfd);
	memset(l, 0, sizeof(*l));
	l->epfd = -1;
}

static struct kt_loop_src *new_src(struct kt_loop *l, int *id)
{
	for (int i = 0; i < KT_LOOP_MAX_SRC; i++) {
		if (l->src[i].kind != KT_SRC_FREE)
			continue;
		if (i >= l->nsrc)
			l->nsrc = i + 1;
		*id = i;
		return &l->src[i];
	}
	errno = ENOSPC;
	return NULL;
}

static int watch(struct kt_loop *l, int id, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.u32 = (uint32_t)id};

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->src[id].fd, &ev)) {
		int e = errno;

		if (l->src[id].owned)
			close(l->src[id].fd);
		l->src[id].kind = KT_SRC_FREE;
		errno = e;
		return -1;
	}
	return id;
}

int kt_loop_add_fd(struct kt_loop *l, int fd, uint32_t events, kt_loop_fn fn, void *arg)
{
	int id;
	struct kt_loop_src *s = new_src(l, &id);

	if (!s)
		return -1;
	*s = (struct kt_loop_src){.fd = fd, .kind = KT_SRC_FD, .fn = fn, .arg = arg};
	return watch(l, id, events) < 0 ? -1 : 0;
}

int kt_loop_del_fd(struct kt_loop *l, int fd)
{
	for (int i = 0; i < l->nsrc; i++) {
		struct kt_loop_src *s = &l->src[i];

		if (s->kind == KT_SRC_FD && s->fd == fd) {
			epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
			s->kind = KT_SRC_FREE;
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

static void to_its(struct itimerspec *its, uint64_t first, uint64_t every)
{
	its->it_value.tv_sec = (time_t)(first / 1000000000u);
	its->it_value.tv_nsec = (long)(first % 1000000000u);
	its->it_interval.tv_sec = (time_t)(every / 1000000000u);
	its->it_interval.tv_nsec = (long)(every % 1000000000u);
}

int kt_loop_add_timer(struct kt_loop *l, uint64_t first_ns, uint64_t interval_ns, kt_loop_fn fn,
		      void *arg)
{
	int id, fd;
	struct kt_loop_src *s = new_src(l, &id);

	if (!s)
		return -1;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return -1;
	*s = (struct kt_loop_src){
		.fd = fd, .kind = KT_SRC_TIMER, .owned = true, .fn = fn, .arg = arg};
	if (watch(l, id, EPOLLIN) < 0)
		return -1;
	if (kt_loop_timer_set(l, id, first_ns, interval_ns))
		return -1;
	return id;
}

int kt_loop_timer_set(struct kt_loop *l, int id, uint64_t first_ns, uint64_t interval_ns)
{
	struct itimerspec its;

	if (id < 0 || id >= l->nsrc || l->src[id].kind != KT_SRC_TIMER) {
		errno = EINVAL;
		return -1;
	}
	to_its(&its, first_ns, interval_ns);
	return timerfd_settime(l->src[id].fd, 0, &its, NULL);
}

int kt_loop_add_signals(struct kt_loop *l, const int *sigs, kt_loop_sig_fn fn, void *arg)
{
	struct kt_loop_src *s;
	int id, fd;

	if (l->have_sig) {
		errno = EBUSY;
		return -1;
	}
	s = new_src(l, &id);
	if (!s)
		return -1;
	sigemptyset(&l->blocked);
	for (; *sigs; sigs++)
		sigaddset(&l->blocked, *sigs);
	fd = signalfd(-1, &l->blocked, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (sigprocmask(SIG_BLOCK, &l->blocked, &l->saved)) {
		close(fd);
		return -1;
	}
	l->have_sig = true;
	*s = (struct kt_loop_src){
		.fd = fd, .kind = KT_SRC_SIGNAL, .owned = true, .sig = fn, .arg = arg};
	return watch(l, id, EPOLLIN) < 0 ? -1 : 0;
}

void kt_loop_stop(struct kt_loop *l, int rc)
{
	l->stopped = true;
	l->rc = rc;
}

static int dispatch(struct kt_loop_src *s, uint32_t events)
{
	uint64_t n;

	switch (s->kind) {
	case KT_SRC_FD:
		return s->fn(s->arg, events);
	case KT_SRC_TIMER:
		if (read(s->fd, &n, sizeof(n)) != sizeof(n))
			return 0; /* rearmed meanwhile: nothing expired */
		return s->fn(s->arg, (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n));
	case KT_SRC_SIGNAL: {
		struct signalfd_siginfo si;
		int rc = 0;

		while (!rc && read(s->fd, &si, sizeof(si)) == sizeof(si))
			rc = s->sig(s->arg, (int)si.ssi_signo);
		return rc;
	}
	case KT_SRC_FREE:
		break;
	}
	return 0;
}

int kt_loop_run(struct kt_loop *l, int64_t timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? 0 : kt_mono_ns() + (uint64_t)timeout_ms * 1000000u;
	struct epoll_event ev[KT_LOOP_MAX_SRC];

	l->stopped = false;
	for (;;) {
		int wait = -1, n;

		if (timeout_ms >= 0) {
			uint64_t now = kt_mono_ns();

			if (now >= deadline)
				return KT_LOOP_TIMEOUT;
			wait = (int)((deadline - now + 999999u) / 1000000u);
		}
		n = epoll_wait(l->epfd, ev, KT_LOOP_MAX_SRC, wait);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			struct kt_loop_src *s = &l->src[ev[i].data.u32];
			int rc;

			if (s->kind == KT_SRC_FREE)
				continue; /* removed by an earlier callback */
			rc = dispatch(s, ev[i].events);
			if (rc)
				kt_loop_stop(l, rc);
			if (l->stopped)
				return l->rc;
		}
	}
}
