/* cagefs-pin: what a cage's pin execs (runtime/cage/pins.c).
 *
 * The pin only has to exist: its namespaces are the cage.  A forked copy of
 * the runtime costs ~250 KiB of PSS per cage; this program, with no libc,
 * no data and no heap, maps a page of code and a page of stack.  Its bytes
 * are compiled into libcagefs (build/gen/pin_blob.c) and exec'd from a
 * sealed memfd, so no file on any disk is the pin's /proc/PID/exe.
 *
 * It takes argv[0] ("cage:USER") as its name, since exec sets comm from the
 * memfd; makes itself non-dumpable again, since exec resets that; and
 * ignores every signal it can, since exec keeps ignored signals ignored but
 * this program does not rely on its caller.  Signals are ignored rather than
 * blocked: a blocked signal is queued (real-time ones use kernel memory),
 * an ignored one is dropped.  Only SIGKILL ends it; SIGSTOP stops it. */
#include <asm/unistd.h>
#include <linux/prctl.h>
#include <linux/signal.h>

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n"
	"\txor %ebp, %ebp\n"
	"\tmov %rsp, %rdi\n"  /* argc, argv[] */
	"\tand $-16, %rsp\n"
	"\tcall pin_main\n"
	"\thlt\n");

static long sys4(long n, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n"
	"\tmov x29, #0\n"
	"\tmov x30, #0\n"
	"\tmov x0, sp\n"      /* argc, argv[] */
	"\tbl pin_main\n"
	"\tbrk #0\n");

static long sys4(long n, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
}
#else
/* The runtime falls back to sleeping as a forked copy of itself; port this
 * by adding _start and a syscall for the architecture. */
#error "cagefs-pin: only x86_64 and aarch64 are written"
#endif

/* The kernel's struct sigaction on both architectures (SA_RESTORER exists,
 * and is not needed for SIG_IGN). */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

void pin_main(long *sp) __attribute__((noreturn, used));
void pin_main(long *sp)
{
	if (sp[0] > 0)
		sys4(__NR_prctl, PR_SET_NAME, sp[1], 0, 0);
	sys4(__NR_prctl, PR_SET_DUMPABLE, 0, 0, 0);
	struct ksigaction ign = {SIG_IGN, 0, 0, 0};
	for (long s = 1; s <= 64; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sys4(__NR_rt_sigaction, s, (long)&ign, 0, sizeof(ign.mask));
	for (;;) /* ppoll with nothing to poll and no timeout: sleep for good */
		sys4(__NR_ppoll, 0, 0, 0, 0);
}
