// Which instruction sets this CPU (and the OS) can run: the AVX-512 kernels are chosen from this once
// per trainer, so a plain portable build still runs AVX-512 loops where the machine has them.
#include "CLockstepShims.h"

#if defined(__x86_64__)
#include <cpuid.h>

static int bits(unsigned int reg, unsigned int mask) { return (reg & mask) == mask; }

int ls_cpu_runs_avx512(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    // FMA, MOVBE, POPCNT, OSXSAVE, AVX, F16C
    if (!bits(c, (1u << 12) | (1u << 22) | (1u << 23) | (1u << 27) | (1u << 28) | (1u << 29))) return 0;
    // The OS saves SSE, AVX, opmask and both halves of the 32 zmm registers (XCR0 bits 1, 2, 5, 6, 7).
    unsigned int xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if (!bits(xcr0_lo, 0xE6)) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    // BMI1, AVX2, BMI2, AVX512F, AVX512DQ, AVX512CD, AVX512BW, AVX512VL: what -target-cpu
    // skylake-avx512 lets the compiler use (with the leaf-1 bits above and LZCNT below).
    if (!bits(b, (1u << 3) | (1u << 5) | (1u << 8) | (1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31)))
        return 0;
    if (!__get_cpuid(0x80000001, &a, &b, &c, &d)) return 0;
    return bits(c, 1u << 5);  // LZCNT
}
#else
int ls_cpu_runs_avx512(void) { return 0; }
#endif
