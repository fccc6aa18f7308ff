/* vthread context switch for x86-64 (System V) and aarch64 (AAPCS64).
 *
 * A suspended context is nothing but a stack pointer: the switch pushes the
 * callee-saved state onto the stack it leaves, stores sp, loads the other
 * stack's sp, pops that stack's saved state and returns into it. Everything
 * caller-saved is, by the ABI, already dead across the call, so this is the
 * whole of what must survive.
 *
 *   void sim_vthread_switch_asm(void **save_sp, void *load_sp);
 *       Suspend the caller (its sp goes to *save_sp) and resume load_sp.
 *   void *sim_vthread_init_asm(void *stack_top, void (*entry)(void *), void *arg);
 *       Lay out, below stack_top, a frame that the switch resumes as if it
 *       had been suspended there: the first switch to the returned sp
 *       "returns" into sim_vthread_start_asm, which calls entry(arg) on a
 *       correctly aligned stack. entry must never return.
 *
 * Frame layout (lowest address first, sp pointing at the first word):
 *   x86-64:  [MXCSR:32 | x87 CW:16 | pad:16] r15 r14 r13 r12 rbx rbp ret
 *            (64 bytes; a new frame holds r12 = arg, r13 = entry)
 *   aarch64: x19..x28, x29 (fp), x30 (lr), d8..d15, FPCR, pad
 *            (176 bytes; a new frame holds x19 = arg, x20 = entry)
 * The floating-point control state (MXCSR and the x87 control word, or
 * FPCR) travels with each thread: the ABIs make its control bits
 * preserved across calls, so a thread that sets a rounding mode must not
 * see it change, nor leak it, when another thread runs in between.
 * The layout is private to this file: C only sees opaque stack pointers.
 */

#if defined(__APPLE__)
#define SYM(x) _##x
#else
#define SYM(x) x
#endif

#if defined(__ELF__)
#define FUNC(x) .globl SYM(x); .hidden SYM(x); .type SYM(x), %function; SYM(x):
#define ENDFUNC(x) .size SYM(x), . - SYM(x)
#else
#define FUNC(x) .globl SYM(x); .private_extern SYM(x); SYM(x):
#define ENDFUNC(x)
#endif

#if defined(__x86_64__)

#if defined(__CET__)
#define LANDING endbr64
#else
#define LANDING
#endif

  .text
  .p2align 4
FUNC(sim_vthread_switch_asm)
  LANDING
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
ENDFUNC(sim_vthread_switch_asm)

/* First code a new vthread runs, reached by the switch's ret. rsp is 16-byte
 * aligned here (init_asm makes it so), as the call below requires. */
  .p2align 4
FUNC(sim_vthread_start_asm)
  LANDING
  movq %r12, %rdi
  callq *%r13
  ud2
ENDFUNC(sim_vthread_start_asm)

/* A new thread inherits the creator's MXCSR and x87 control word, as a new
 * POSIX thread inherits its creator's floating-point environment. */
  .p2align 4
FUNC(sim_vthread_init_asm)
  LANDING
  andq $-16, %rdi
  movq $0, -8(%rdi)       /* start_asm's return address: 0 ends backtraces */
  movq $0, -16(%rdi)
  leaq -80(%rdi), %rax    /* 64-byte frame below top - 16 */
  movq $0, (%rax)
  stmxcsr (%rax)
  fnstcw 4(%rax)
  movq $0, 8(%rax)        /* r15 */
  movq $0, 16(%rax)       /* r14 */
  movq %rsi, 24(%rax)     /* r13 = entry */
  movq %rdx, 32(%rax)     /* r12 = arg */
  movq $0, 40(%rax)       /* rbx */
  movq $0, 48(%rax)       /* rbp */
  leaq SYM(sim_vthread_start_asm)(%rip), %rcx
  movq %rcx, 56(%rax)     /* ret -> start_asm, leaving rsp = top - 16 */
  ret
ENDFUNC(sim_vthread_init_asm)

#if defined(__ELF__)
  .section .note.GNU-stack,"",@progbits
#endif

#elif defined(__aarch64__)

  .text
  .p2align 4
FUNC(sim_vthread_switch_asm)
  sub sp, sp, #176
  stp x19, x20, [sp, #0]
  stp x21, x22, [sp, #16]
  stp x23, x24, [sp, #32]
  stp x25, x26, [sp, #48]
  stp x27, x28, [sp, #64]
  stp x29, x30, [sp, #80]
  stp d8, d9, [sp, #96]
  stp d10, d11, [sp, #112]
  stp d12, d13, [sp, #128]
  stp d14, d15, [sp, #144]
  mrs x3, fpcr
  str x3, [sp, #160]
  mov x2, sp
  str x2, [x0]
  mov sp, x1
  ldr x2, [sp, #160]
  cmp x2, x3
  b.eq 1f                   /* writing FPCR can stall: skip when unchanged */
  msr fpcr, x2
1:
  ldp x19, x20, [sp, #0]
  ldp x21, x22, [sp, #16]
  ldp x23, x24, [sp, #32]
  ldp x25, x26, [sp, #48]
  ldp x27, x28, [sp, #64]
  ldp x29, x30, [sp, #80]
  ldp d8, d9, [sp, #96]
  ldp d10, d11, [sp, #112]
  ldp d12, d13, [sp, #128]
  ldp d14, d15, [sp, #144]
  add sp, sp, #176
  ret
ENDFUNC(sim_vthread_switch_asm)

/* Reached by the switch's ret with sp = top - 16 (16-byte aligned). */
  .p2align 4
FUNC(sim_vthread_start_asm)
  mov x0, x19
  blr x20
  brk #0x3e8
ENDFUNC(sim_vthread_start_asm)

  .p2align 4
FUNC(sim_vthread_init_asm)
  and x0, x0, #~15
  stp xzr, xzr, [x0, #-16]  /* a zero frame record ends backtraces */
  sub x0, x0, #192          /* 176-byte frame below top - 16 */
  stp x2, x1, [x0, #0]      /* x19 = arg, x20 = entry */
  stp xzr, xzr, [x0, #16]
  stp xzr, xzr, [x0, #32]
  stp xzr, xzr, [x0, #48]
  stp xzr, xzr, [x0, #64]
  adr x3, SYM(sim_vthread_start_asm)
  stp xzr, x3, [x0, #80]    /* x29 = 0, x30 -> start_asm */
  stp xzr, xzr, [x0, #96]
  stp xzr, xzr, [x0, #112]
  stp xzr, xzr, [x0, #128]
  stp xzr, xzr, [x0, #144]
  mrs x3, fpcr              /* inherit the creator's FPCR, as for x86-64 */
  stp x3, xzr, [x0, #160]
  ret
ENDFUNC(sim_vthread_init_asm)

#if defined(__ELF__)
  .section .note.GNU-stack,"",%progbits
#endif

#else
#error "vthread_switch.S: no assembly switch for this architecture; configure with -DLWSIM_VTHREAD_SWITCH=ucontext"
#endif
