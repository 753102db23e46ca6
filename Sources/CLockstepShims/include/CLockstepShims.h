// The few C pieces Swift cannot express: prefetch, cpu pause, sched_getcpu, futex wait/wake, the
// atomics on raw words, an inline monotonic clock, a square root LLVM can vectorise, lane tree sums and
// deinterleaving shuffles (all static inline), signal handlers that only set flags (signals.c), and
// the CPU check that picks the AVX-512 kernels (cpu.c).
#ifndef LOCKSTEP_SHIMS_H
#define LOCKSTEP_SHIMS_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <time.h>

#ifdef __linux__
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/// Prefetch the cache line holding `p` into L2/L3 (a read, moderate locality).
static inline void ls_prefetch(const void *p) { __builtin_prefetch(p, 0, 1); }

/// CLOCK_MONOTONIC in nanoseconds: one vDSO call. `DispatchTime.now().uptimeNanoseconds` is two
/// calls into libswiftDispatch and libdispatch first, cold code inside the first timed epoch.
static inline uint64_t ls_monotonic_nanos(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/// `x`, unseen by the optimiser: lanes filled from such values are never fused into a hardware gather
/// (`vgatherqps`), whose latency sits on the critical path of a 10-row step.
static inline __attribute__((always_inline)) float ls_opaque_float(float x) {
    __asm__("" : "+x"(x));
    return x;
}

/// IEEE square root as the `llvm.sqrt` intrinsic. Swift's `Float.squareRoot()` on Linux calls libm's
/// `sqrtf` (which may set errno), so a loop containing it never vectorises; this one does.
static inline float ls_sqrtf(float x) { return __builtin_elementwise_sqrt(x); }

/// 16 floats as one vector value; Swift imports it as `SIMD16<Float>`.
typedef float ls_float16 __attribute__((ext_vector_type(16)));
typedef float ls_float8 __attribute__((ext_vector_type(8)));
typedef float ls_float4 __attribute__((ext_vector_type(4)));
typedef float ls_float2 __attribute__((ext_vector_type(2)));

/// The pairwise tree sum of 16 lanes: halves added (8), then (4), (2), then lane 0 + lane 1. Swift
/// can write the same tree with `lowHalf`/`highHalf`, but LLVM then scalarises the whole kernel around
/// it (lanes extracted one by one, SLP rebuilding xmm pieces); this form stays three vector adds and a
/// scalar one. The order is fixed, so the result is the same bits on every CPU.
static inline __attribute__((always_inline)) float ls_tree_sum16(ls_float16 v) {
    ls_float8 h = v.lo + v.hi;
    ls_float4 q = h.lo + h.hi;
    ls_float2 p = q.lo + q.hi;
    return p.x + p.y;
}

/// `ls_tree_sum16` of two vectors at once, the same additions lane for lane (so the same bits), with
/// the two trees sharing their shuffles from the second level on: two rows' dot products reduced
/// side by side, which keeps the scheduler from finishing one row's chain before starting the other's.
static inline __attribute__((always_inline)) ls_float2 ls_tree_sum16x2(ls_float16 a, ls_float16 b) {
    ls_float8 ha = a.lo + a.hi, hb = b.lo + b.hi;
    ls_float8 q = __builtin_shufflevector(ha, hb, 0, 1, 2, 3, 8, 9, 10, 11)
        + __builtin_shufflevector(ha, hb, 4, 5, 6, 7, 12, 13, 14, 15);
    ls_float4 p = __builtin_shufflevector(q, q, 0, 1, 4, 5) + __builtin_shufflevector(q, q, 2, 3, 6, 7);
    return (ls_float2){p.x + p.y, p.z + p.w};
}

/// The same tree over 8 lanes: (4), (2), then lane 0 + lane 1.
static inline __attribute__((always_inline)) float ls_tree_sum8(ls_float8 v) {
    ls_float4 q = v.lo + v.hi;
    ls_float2 p = q.lo + q.hi;
    return p.x + p.y;
}

/// Lanes 0, 2, 4, … and 1, 3, 5, … of 16 floats: x0 and x1 of 8 rows of a d = 2 matrix.
/// (Swift's `evenHalf`/`oddHalf` are element loops; these are one shuffle each.)
static inline __attribute__((always_inline)) ls_float8 ls_even_lanes16(ls_float16 v) { return v.even; }
static inline __attribute__((always_inline)) ls_float8 ls_odd_lanes16(ls_float16 v) { return v.odd; }

/// O_DIRECT, which Glibc's Swift overlay does not export (it needs _GNU_SOURCE); 0 where absent.
static inline int ls_o_direct(void) {
#ifdef O_DIRECT
    return O_DIRECT;
#else
    return 0;
#endif
}

/// A spin-wait hint to the CPU (`pause` on x86).
static inline void ls_cpu_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// The CPU the calling thread runs on now, or -1.
static inline int ls_sched_getcpu(void) {
#ifdef __linux__
    return sched_getcpu();
#else
    return -1;
#endif
}

static inline void ls_sched_yield(void) { sched_yield(); }

static inline uint32_t ls_load_acquire(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline uint32_t ls_load_seq_cst(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static inline void ls_store_release(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
/// Relaxed 64-bit words for counters one thread writes and another only displays (progress).
static inline uint64_t ls_load_relaxed_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline void ls_store_relaxed_u64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
static inline uint32_t ls_fetch_add(uint32_t *p, uint32_t v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
static inline uint32_t ls_fetch_sub(uint32_t *p, uint32_t v) { return __atomic_fetch_sub(p, v, __ATOMIC_SEQ_CST); }
static inline int ls_compare_exchange(uint32_t *p, uint32_t expected, uint32_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/// Sleeps while `*addr == expected` (returns at once otherwise). The corresponding syscall is futex(2).
static inline void ls_futex_wait(uint32_t *addr, uint32_t expected) {
#ifdef __linux__
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, expected, (void *)0, (void *)0, 0);
#endif
}

/// Wakes every thread sleeping on `addr`.
static inline void ls_futex_wake_all(uint32_t *addr) {
#ifdef __linux__
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 0x7fffffff, (void *)0, (void *)0, 0);
#endif
}

/// Installs handlers for SIGINT and SIGTERM that only record the signal (see signals.c); 0 on success.
int ls_watch_signals(void);
/// Makes stdout line-buffered.
void ls_stdout_line_buffered(void);
/// Flushes stdout; -1 when it or an earlier write to it failed.
int ls_flush_stdout(void);
/// The first SIGINT/SIGTERM received since `ls_watch_signals`, or 0.
int ls_received_signal(void);
/// A word the handler also sets to 1 (atomically), e.g. a trainer's stop request; NULL for none.
void ls_set_stop_word(uint64_t *word);
/// 1: a SIGINT/SIGTERM/SIGHUP ends the process at once (one line on stderr, exit 128 + signal), as
/// while reading the config and data, when nothing is written yet; 0: it is only recorded.
void ls_set_exit_on_signal(int on);
/// Installs a SIGBUS handler: a mapped input file that shrank; one line on stderr and exit 74.
int ls_watch_bus_errors(void);

/// 1 when this CPU and OS run code built with `-target-cpu skylake-avx512` (AVX-512 F/DQ/CD/BW/VL,
/// AVX2, FMA, BMI1/2, LZCNT, MOVBE, POPCNT, F16C, zmm state saved by the OS); 0 otherwise and off x86-64.
int ls_cpu_runs_avx512(void);

#endif
