// SIGINT/SIGTERM as flags, set by a real signal handler: it runs at once on whichever thread the
// kernel picks, even when every thread of Dispatch's pool is busy in a training span (a Dispatch
// signal source would wait for a free pool thread, which a span never gives back).
#include "CLockstepShims.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t received_signal = 0;
static uint64_t *volatile stop_word = 0;
static volatile sig_atomic_t exit_at_once = 0;

static void say(const char *text) {
    size_t n = strlen(text);
    while (n > 0) {
        ssize_t w = write(2, text, n);
        if (w <= 0) return;
        text += w;
        n -= (size_t)w;
    }
}

static void on_signal(int sig) {
    if (exit_at_once) {
        // Reading the config or the data: nothing of this run is written yet, so there is nothing to
        // save or remove; end now (a long parse or load would otherwise finish first).
        say(sig == SIGINT    ? "interrupted by SIGINT while reading the config or data; nothing was written\n"
            : sig == SIGTERM ? "interrupted by SIGTERM while reading the config or data; nothing was written\n"
                             : "interrupted by SIGHUP while reading the config or data; nothing was written\n");
        _exit(128 + sig);
    }
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

void ls_set_exit_on_signal(int on) { exit_at_once = on; }

// A mapped input file (X.npy, y.npy) that shrinks under the process: touching a page past its new
// end raises SIGBUS, which would kill the process with no word. Only input files are mapped
// (outputs are written with write(2)), so a SIGBUS means the data changed. Nothing can be trusted
// after it, and unwinding from a signal into Swift is not safe: say so and exit 74, writing nothing
// (no checkpoint of a state computed from the damaged data).
static void on_bus_error(int sig) {
    (void)sig;
    say("error: the data file changed while being read (SIGBUS on mapped data: it was truncated or replaced); "
        "no checkpoint written. Keep data files unchanged while a run uses them, then run again\n");
    _exit(74);
}

int ls_watch_bus_errors(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_bus_error;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGBUS, &sa, 0);
}

void ls_set_stop_word(uint64_t *word) { stop_word = word; }

// Standard output line-buffered (so a pipe gets each line as it is printed, not at the end), and
// its final flush checked (a full disk or /dev/full must not exit 0).
#include <stdio.h>
void ls_stdout_line_buffered(void) { setvbuf(stdout, 0, _IOLBF, 0); }
int ls_flush_stdout(void) { return (fflush(stdout) != 0 || ferror(stdout)) ? -1 : 0; }
