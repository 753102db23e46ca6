// SIGINT/SIGTERM as flags, set by a real signal handler: it runs at once on whichever thread the
// kernel picks, even when every thread of Dispatch's pool is busy in a training span (a Dispatch
// signal source would wait for a free pool thread, which a span never gives back).
#include "CLockstepShims.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t received_signal = 0;
static uint64_t *volatile stop_word = 0;

static void on_signal(int sig) {
    if (received_signal == 0) received_signal = sig;
    uint64_t *word = stop_word;
    if (word) __atomic_store_n(word, 1, __ATOMIC_RELAXED);
}

int ls_watch_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &sa, 0) != 0) return -1;
    if (sigaction(SIGTERM, &sa, 0) != 0) return -1;
    // A closed terminal or ssh session: stop as for SIGTERM (checkpoint, exit 129), not die.
    if (sigaction(SIGHUP, &sa, 0) != 0) return -1;
    // A parent may have started us with these signals blocked (test runners do); unblock them on
    // this thread, so the kernel has a thread to deliver them to.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return pthread_sigmask(SIG_UNBLOCK, &set, 0) == 0 ? 0 : -1;
}

int ls_received_signal(void) { return received_signal; }

void ls_set_stop_word(uint64_t *word) { stop_word = word; }

// Standard output line-buffered (so a pipe gets each line as it is printed, not at the end), and
// its final flush checked (a full disk or /dev/full must not exit 0).
#include <stdio.h>
void ls_stdout_line_buffered(void) { setvbuf(stdout, 0, _IOLBF, 0); }
int ls_flush_stdout(void) { return (fflush(stdout) != 0 || ferror(stdout)) ? -1 : 0; }
