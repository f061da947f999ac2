// SPDX-License-Identifier: MIT
/* The event loop: fds, timers, signals, deadlines, removal from callbacks. */
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"
#include "tap.h"

struct st {
	struct kt_loop *l;
	int fd_calls, timer_calls, sig;
	uint32_t expirations;
	int pipe_rd;
};

static int on_fd(void *arg, uint32_t ev)
{
	struct st *s = arg;
	char b[16];

	s->fd_calls++;
	if (ev & EPOLLIN && read(s->pipe_rd, b, sizeof(b)) > 0 && b[0] == 'q')
		return 7;
	return 0;
}

static int on_timer(void *arg, uint32_t n)
{
	struct st *s = arg;

	s->timer_calls++;
	s->expirations += n;
	return s->timer_calls == 3 ? 9 : 0;
}

static int on_sig(void *arg, int signo)
{
	struct st *s = arg;

	s->sig = signo;
	kt_loop_stop(s->l, 11);
	return 0;
}

static int remove_self(void *arg, uint32_t ev)
{
	struct st *s = arg;

	(void)ev;
	s->fd_calls++;
	kt_loop_del_fd(s->l, s->pipe_rd);
	return 0;
}

int main(void)
{
	struct kt_loop l;
	struct st s = {.l = &l};
	int p[2], id, sigs[] = {SIGUSR1, 0};
	uint64_t t0;

	if (pipe(p))
		return 1;
	s.pipe_rd = p[0];
	ok(!kt_loop_init(&l), "init");
	ok(!kt_loop_add_fd(&l, p[0], EPOLLIN, on_fd, &s), "add a pipe");
	t0 = kt_mono_ns();
	is_int(kt_loop_run(&l, 50), KT_LOOP_TIMEOUT, "nothing ready: the deadline");
	ok(kt_mono_ns() - t0 >= 45000000u, "waited about the deadline");
	if (write(p[1], "q", 1) != 1)
		return 1;
	is_int(kt_loop_run(&l, 1000), 7, "a callback's non-zero value stops the loop");
	is_int(s.fd_calls, 1, "one call for one write");

	id = kt_loop_add_timer(&l, 1000000, 1000000, on_timer, &s);
	ok(id >= 0, "an interval timer");
	is_int(kt_loop_run(&l, 1000), 9, "timer callbacks until one stops the loop");
	is_int(s.timer_calls, 3, "three expiries");
	ok(!kt_loop_timer_set(&l, id, 0, 0), "disarm");
	is_int(kt_loop_run(&l, 20), KT_LOOP_TIMEOUT, "a disarmed timer does not fire");

	ok(!kt_loop_add_signals(&l, sigs, on_sig, &s), "signals through the loop");
	kill(getpid(), SIGUSR1); /* blocked: stays pending for the signalfd */
	is_int(kt_loop_run(&l, 1000), 11, "kt_loop_stop from a signal callback");
	is_int(s.sig, SIGUSR1, "the signal number");
	ok(kt_loop_add_signals(&l, sigs, on_sig, &s) && errno == EBUSY, "one signal set per loop");

	kt_loop_del_fd(&l, p[0]);
	ok(!kt_loop_add_fd(&l, p[0], EPOLLIN, remove_self, &s), "re-add with another callback");
	if (write(p[1], "x", 1) != 1)
		return 1;
	s.fd_calls = 0;
	is_int(kt_loop_run(&l, 30), KT_LOOP_TIMEOUT, "a source removing itself");
	is_int(s.fd_calls, 1, "is not called again");
	ok(kt_loop_del_fd(&l, p[0]) && errno == ENOENT, "removing it twice: ENOENT");
	ok(kt_loop_add_fd(&l, open("/etc/hostname", 0), EPOLLIN, on_fd, &s) ||
		   access("/etc/hostname", R_OK),
	   "a regular file cannot be watched (EPERM)");
	kt_loop_free(&l);
	return tap_done();
}
