// Stub code; see stub.h. Position-independent: it runs from a copy at
// kStubBase, so only relative jumps and no data references.

#include "platform/stub/systrap_layout.h"

#define SYS_mmap 9
#define SYS_mprotect 10
#define SYS_munmap 11
#define SYS_rt_sigreturn 15
#define SYS_exit 60
#define SYS_futex 202
#define SYS_sigaltstack 131
#define SYS_seccomp 317
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define SECCOMP_SET_MODE_FILTER 1
#define SYS_pause 34
#define SYS_getpid 39
#define SYS_kill 62
#define SYS_prctl 157
#define PR_SET_PDEATHSIG 1
#define SIGKILL 9
#define SIGSTOP 19

// The kernel's ucontext (systrap_layout.h KernelUcontext) and the slot's
// patch frame, for the systrap code below.
#define UC_FLAGS 0
#define UC_R8 40
#define UC_R9 48
#define UC_R10 56
#define UC_R11 64
#define UC_R12 72
#define UC_R13 80
#define UC_R14 88
#define UC_R15 96
#define UC_RDI 104
#define UC_RSI 112
#define UC_RBP 120
#define UC_RBX 128
#define UC_RDX 136
#define UC_RAX 144
#define UC_RCX 152
#define UC_RSP 160
#define UC_EFLAGS 176
#define UC_CS 184
#define UC_FS 188
#define UC_FPSTATE 224
#define UC_SIGINFO 304
#define PF SYSTRAP_CTX_PATCH_FRAME
#define FP SYSTRAP_CTX_INITIAL_FP
#define SIGSYS 31
#define SYS_SECCOMP 1
#define UC_SIGCONTEXT_SS_STRICT SYSTRAP_UC_SIGCONTEXT_SS_STRICT
#define UC_FP_XSTATE SYSTRAP_UC_FP_XSTATE
#define FP_XSTATE_MAGIC1 SYSTRAP_FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC2 SYSTRAP_FP_XSTATE_MAGIC2

  .section .text.runsc_stub, "ax", @progbits
  .balign 4096
  .globl runsc_stub_start
runsc_stub_start:

  .globl runsc_stub_init
runsc_stub_init:
  // munmap(0, kStubBase): everything below the stub.
  mov $SYS_munmap, %eax
  xor %edi, %edi
  mov %r12, %rsi
  syscall
  // munmap(stub end, length above): everything above it.
  mov $SYS_munmap, %eax
  mov %r13, %rdi
  mov %r14, %rsi
  syscall
  // Fall through.

  .globl runsc_stub_stop
runsc_stub_stop:
  // Die with the sentry. (A forked child does not inherit this setting.)
  mov $SYS_prctl, %eax
  mov $PR_SET_PDEATHSIG, %edi
  mov $SIGKILL, %esi
  syscall
  mov $SYS_getpid, %eax
  syscall
  mov %eax, %edi
  mov $SYS_kill, %eax
  mov $SIGSTOP, %esi
  syscall
1:
  int3
  jmp 1b

  .globl runsc_stub_syscall
runsc_stub_syscall:
  syscall
  int3
  jmp runsc_stub_syscall

  .globl runsc_stub_fork
runsc_stub_fork:
  syscall
  test %rax, %rax
  jz runsc_stub_stop
  int3
  jmp runsc_stub_fork

  .globl runsc_stub_thread
runsc_stub_thread:
  syscall
  test %rax, %rax
  jz runsc_stub_park
  int3
  jmp runsc_stub_thread

  // A thread nobody runs yet (or any more) waits here, making no syscall
  // but pause(2) from stub code, until a tracer takes it or it is killed.
  .globl runsc_stub_park
runsc_stub_park:
  mov $SYS_pause, %eax
  syscall
  jmp runsc_stub_park


// ---------------------------------------------------------------------------
// systrap (see platform/stub/systrap_layout.h and platform/systrap/).
//
// r15 holds SYSTRAP_CTL_BASE in the syscall thread; r12 a slot base in an
// application thread's stub code. Stub code never touches the application's
// stack: application threads run it on their sigaltstack (in their slot).

// rax = TSC now. Clobbers rdx.
#define READ_TSC rdtsc; shl $32, %rdx; or %rdx, %rax
#define UC_RIP 168

  // The clean stub's first code, on the syscall thread (the process's main
  // thread), from the sentry's fork: unmaps everything outside the stub's
  // code and control area (r12 = kStubBase, r13 = code end, r14 = length
  // up to the control area, rbx = control area end, rbp = length above).
  .globl runsc_systrap_init
runsc_systrap_init:
  mov $SYS_munmap, %eax
  xor %edi, %edi
  mov %r12, %rsi
  syscall
  mov $SYS_munmap, %eax
  mov %r13, %rdi
  mov %r14, %rsi
  syscall
  mov $SYS_munmap, %eax
  mov %rbx, %rdi
  mov %rbp, %rsi
  syscall
  // Fall through.

  // The syscall thread: never runs application code and has every signal
  // blocked. It carries out the sentry's requests from the read-only
  // request page, read under its seqlock, so a request is executed whole
  // or not at all. r14 = seq of the last request done.
  .globl runsc_systrap_syscall_loop
runsc_systrap_syscall_loop:
  movabs $SYSTRAP_CTL_BASE, %r15
  xor %r14d, %r14d
.Lsys_wait:
  READ_TSC
  add SYSTRAP_REQ_SPIN(%r15), %rax
  mov %rax, %rbx                      // spin deadline
.Lsys_spin:
  mov SYSTRAP_REQ_SEQ(%r15), %eax
  cmp %r14d, %eax
  jne .Lsys_got
  pause
  READ_TSC
  cmp %rbx, %rax
  jb .Lsys_spin
  // Budget spent: sleep. Announce it first, then look once more, so a
  // request posted in between is never missed (the sentry wakes us only
  // when it sees the flag).
  mov $1, %eax
  xchg %eax, SYSTRAP_REP_STUB_SLEEPING(%r15)
  mov SYSTRAP_REQ_SEQ(%r15), %eax
  cmp %r14d, %eax
  jne .Lsys_woke
  mov $SYS_futex, %eax
  lea SYSTRAP_REQ_SEQ(%r15), %rdi
  mov $FUTEX_WAIT, %esi
  mov %r14d, %edx
  xor %r10d, %r10d
  syscall
.Lsys_woke:
  movl $0, SYSTRAP_REP_STUB_SLEEPING(%r15)
  jmp .Lsys_wait
.Lsys_got:
  test $1, %eax
  jnz .Lsys_spin                      // the sentry is writing it
  mov %eax, %r13d
  mov SYSTRAP_REQ_KIND(%r15), %r12
  mov SYSTRAP_REQ_NR(%r15), %rax
  mov SYSTRAP_REQ_ARGS+0(%r15), %rdi
  mov SYSTRAP_REQ_ARGS+8(%r15), %rsi
  mov SYSTRAP_REQ_ARGS+16(%r15), %rdx
  mov SYSTRAP_REQ_ARGS+24(%r15), %r10
  mov SYSTRAP_REQ_ARGS+32(%r15), %r8
  mov SYSTRAP_REQ_ARGS+40(%r15), %r9
  cmp SYSTRAP_REQ_SEQ(%r15), %r13d    // torn read: start over
  jne .Lsys_spin
  cmp $SYSTRAP_KIND_FORK, %r12
  je .Lsys_fork
  cmp $SYSTRAP_KIND_THREAD, %r12
  je .Lsys_thread
  syscall
.Lsys_reply:
  mov %rax, SYSTRAP_REP_RESULT(%r15)
  mov %r13d, %r14d
  xchg %r13d, SYSTRAP_REP_DONE(%r15)
  cmpl $0, SYSTRAP_REP_SENTRY_SLEEPING(%r15)
  je .Lsys_wait
  mov $SYS_futex, %eax
  lea SYSTRAP_REP_DONE(%r15), %rdi
  mov $FUTEX_WAKE, %esi
  mov $1, %edx
  syscall
  jmp .Lsys_wait

.Lsys_fork:
  syscall
  test %rax, %rax
  jnz .Lsys_reply
  // The child: a copy of this thread alone. Die with the sentry (PDEATHSIG
  // is not inherited), then replace the parent's control area, inherited
  // because it is MAP_SHARED, by the child's own memfd (r9): no page of the
  // parent stays visible to the child.
  mov %r9, %r12
  mov $SYS_prctl, %eax
  mov $PR_SET_PDEATHSIG, %edi
  mov $SIGKILL, %esi
  syscall
  mov $SYS_mmap, %eax
  mov %r15, %rdi
  movabs $SYSTRAP_CTL_SIZE, %rsi
  mov $3, %edx                        // PROT_READ | PROT_WRITE
  mov $0x11, %r10d                    // MAP_SHARED | MAP_FIXED
  mov %r12, %r8
  xor %r9d, %r9d
  syscall
  cmp %r15, %rax
  jne .Lsys_die
  mov $SYS_mprotect, %eax
  mov %r15, %rdi
  mov $4096, %esi
  mov $1, %edx                        // PROT_READ: the request page
  syscall
  test %rax, %rax
  jnz .Lsys_die
  jmp runsc_systrap_syscall_loop
.Lsys_die:
  mov $231, %eax                      // exit_group
  mov $126, %edi
  syscall
  ud2

.Lsys_thread:
  syscall
  test %rax, %rax
  jnz .Lsys_reply
  // A new application thread; r9 = its slot.
  mov %r9, %r12
  lea SYSTRAP_SLOT_SIZE(%r12), %rsp
  push $(SYSTRAP_SLOT_SIZE - SYSTRAP_STACK_OFFSET)   // ss_size
  push $0                                            // ss_flags
  lea SYSTRAP_STACK_OFFSET(%r12), %rax
  push %rax                                          // ss_sp
  mov $SYS_sigaltstack, %eax
  mov %rsp, %rdi
  xor %esi, %esi
  syscall
  test %rax, %rax
  jnz .Lthread_die
  // From here on this thread may make only the few syscalls stub code
  // needs (futex, rt_sigreturn, exit): it will run application code.
  mov $SYS_seccomp, %eax
  mov $SECCOMP_SET_MODE_FILTER, %edi
  xor %esi, %esi
  lea SYSTRAP_REQ_PROG(%r15), %rdx
  syscall
  test %rax, %rax
  jnz .Lthread_die
  movq $0, SYSTRAP_CTX_FRAME(%r12)
  jmp .Lapp_report
.Lthread_die:
  mov $SYS_exit, %eax
  mov $125, %edi
  syscall
  ud2

  // Every signal of an application thread lands here (SA_SIGINFO |
  // SA_ONSTACK, all signals masked): a syscall (SIGSYS from the filter's
  // RET_TRAP), a fault, or a host signal such as the sentry's interrupt.
  // The frame the kernel built on the sigaltstack is the thread's state;
  // the sentry reads and rewrites it, and we rt_sigreturn from it.
  .globl runsc_systrap_signal_handler
runsc_systrap_signal_handler:
  // A patched stop runs with signals unblocked (it makes no syscall to
  // block them). A signal in its entry, or while it waits for the resume
  // (the sentry's interrupt, or one sent from outside): the thread stops
  // for a syscall anyway, or has, and its slot is half written or the
  // sentry's. Drop the signal and go back (the sentry's interrupt stays
  // pending in the sentry, which checks it before the next resume). The
  // signal handler's own stops wait with every signal blocked, so only
  // patched stops are ever here. A signal once the thread saw its resume
  // (.Lapp_run on) is not dropped: the sentry counts the thread as running
  // by then, so it stops as any other, and the sentry takes it for a stop
  // before that resume (systrap_context.cc).
  mov UC_RIP(%rdx), %rax
  lea .Lpatch_entry(%rip), %rcx
  sub %rcx, %rax
  cmp $(.Lpatch_end - .Lpatch_entry), %rax
  jb .Lhandler_drop
  mov UC_RIP(%rdx), %rax
  lea .Lapp_report(%rip), %rcx
  sub %rcx, %rax
  cmp $(.Lapp_run - .Lapp_report), %rax
  jb .Lhandler_drop
  mov %rsp, %r12
  and $~(SYSTRAP_SLOT_SIZE - 1), %r12
  mov %rdx, SYSTRAP_CTX_FRAME(%r12)
  rdfsbase %rax
  mov %rax, SYSTRAP_CTX_FS_BASE(%r12)
  rdgsbase %rax
  mov %rax, SYSTRAP_CTX_GS_BASE(%r12)
.Lapp_report:
  movabs $SYSTRAP_CTL_BASE, %r15
  mov $SYSTRAP_STATE_STOPPED, %eax
  xchg %eax, SYSTRAP_CTX_STATE(%r12)
  cmpl $0, SYSTRAP_CTX_SENTRY_SLEEPING(%r12)
  je .Lapp_wait
  mov $SYS_futex, %eax
  lea SYSTRAP_CTX_STATE(%r12), %rdi
  mov $FUTEX_WAKE, %esi
  mov $1, %edx
  syscall
.Lapp_wait:
  READ_TSC
  add SYSTRAP_CTX_SPIN(%r12), %rax
  mov %rax, %rbx
.Lapp_spin:
  mov SYSTRAP_CTX_STATE(%r12), %eax
  cmp $SYSTRAP_STATE_RUNNING, %eax
  je .Lapp_run
  cmp $SYSTRAP_STATE_SAVE_FP, %eax
  je .Lpatch_save_fp
  pause
  READ_TSC
  cmp %rbx, %rax
  jb .Lapp_spin
  mov $1, %eax
  xchg %eax, SYSTRAP_CTX_STUB_SLEEPING(%r12)
  cmpl $SYSTRAP_STATE_RUNNING, SYSTRAP_CTX_STATE(%r12)
  je .Lapp_woke
  mov $SYS_futex, %eax
  lea SYSTRAP_CTX_STATE(%r12), %rdi
  mov $FUTEX_WAIT, %esi
  mov $SYSTRAP_STATE_STOPPED, %edx
  xor %r10d, %r10d
  syscall
.Lapp_woke:
  movl $0, SYSTRAP_CTX_STUB_SLEEPING(%r12)
  jmp .Lapp_wait
  .globl runsc_systrap_resume
runsc_systrap_resume:
.Lapp_run:
  cmpl $SYSTRAP_CMD_EXIT, SYSTRAP_CTX_COMMAND(%r12)
  je .Lthread_exit
  mov SYSTRAP_CTX_FS_BASE(%r12), %rax
  wrfsbase %rax
  mov SYSTRAP_CTX_GS_BASE(%r12), %rax
  wrgsbase %rax
  cmpl $SYSTRAP_CMD_RESUME_FAST, SYSTRAP_CTX_COMMAND(%r12)
  je .Lapp_run_fast
  mov SYSTRAP_CTX_FRAME(%r12), %rsp
  mov $SYS_rt_sigreturn, %eax
  syscall
  // Only a frame the application scribbled on gets here (the kernel then
  // queues a SIGSEGV, which the handler reports as a fault).
  ud2
  // The resume of a patched stop whose FP state the sentry left alone:
  // the registers from the frame the patch entry built (as the sentry
  // rewrote it) in user space, no rt_sigreturn. Stub code touches no FP
  // or vector register, so those are still the application's; the signal
  // mask was never changed. The jump's target is read through the gs base,
  // which the sentry asks for only while it is the slot's patch table
  // (jmp *%gs:... reads the frame's rip there).
.Lapp_run_fast:
  pushq PF+UC_EFLAGS(%r12)
  popfq
  mov PF+UC_R8(%r12), %r8
  mov PF+UC_R9(%r12), %r9
  mov PF+UC_R10(%r12), %r10
  mov PF+UC_R11(%r12), %r11
  mov PF+UC_R13(%r12), %r13
  mov PF+UC_R14(%r12), %r14
  mov PF+UC_R15(%r12), %r15
  mov PF+UC_RDI(%r12), %rdi
  mov PF+UC_RSI(%r12), %rsi
  mov PF+UC_RBP(%r12), %rbp
  mov PF+UC_RBX(%r12), %rbx
  mov PF+UC_RDX(%r12), %rdx
  mov PF+UC_RAX(%r12), %rax
  mov PF+UC_RCX(%r12), %rcx
  mov PF+UC_RSP(%r12), %rsp
  mov PF+UC_R12(%r12), %r12
  jmp *%gs:(PF + UC_RIP - SYSTRAP_CTX_PATCH_TABLE)
  .globl runsc_systrap_resume_end
runsc_systrap_resume_end:
.Lthread_exit:
  mov $SYS_exit, %eax
  xor %edi, %edi
  syscall
  ud2

.Lhandler_drop:
  mov %rdx, %rsp
  mov $SYS_rt_sigreturn, %eax
  syscall
  ud2

  // ------------------------------------------------------------------
  // Syscall patching (platform/systrap/syscall_patch.h). A patched site is
  // one of
  //   xor %eax, %eax; mov $(8 * k), %al; jmp *%gs:(%rax)   (was mov $nr, %eax; syscall)
  //   jmp *%gs:(8 * k)                                     (was syscall; cmp $imm, %rax)
  // and a patched thread's gs base is its slot's SYSTRAP_CTX_PATCH_TABLE,
  // whose entry k is the k-th of the patch entries below: each sets ecx =
  // 8 * k (rcx is free: `syscall` clobbers it) and joins the common entry.
  // On entry: rcx = 8 * k, rax = the syscall number (the second form) or
  // 8 * k (the first, whose number is in the site table), every other
  // register but r11 and the arithmetic flags is the application's (r11
  // is what `syscall` clobbers; the flags are dead in both forms: the
  // first's xor set them, the second's cmp overwrites all six after the
  // syscall, in the sentry). We build in the slot the frame the SIGSYS of
  // that syscall would have made, without the signal, and stop exactly as
  // the signal handler does, but with signals unblocked (a signal here is
  // dropped by the handler; the sentry's interrupt stays pending), and
  // without the FP state, which stays in the registers until the sentry
  // asks for it (.Lpatch_save_fp). The resume is in user space
  // (.Lapp_run_fast) when the sentry left the FP state and gs alone, else
  // the rt_sigreturn from the frame, its FP state saved first.
  //
  // Security: this is stub code, but it makes no syscall the filter does
  // not already allow application threads from stub code (futex,
  // rt_sigreturn and exit, each acting on the caller only). An application
  // that jumps here with a register or gs base of its choosing reaches
  // nothing more than by jumping to any other `syscall` of the stub: the
  // host still serves no syscall the application chose.

  // Outside the handler's drop range on purpose: a thread whose gs base is
  // not a slot's patch table (the application jumped here itself) faults,
  // and the fault is reported as any other.
.Lpatch_bad:
  ud2

  // Store unless the memory holds the value already (they clobber the
  // flags, dead here). The frame is shared with the sentry's CPU: a store
  // takes the cache line from it even when nothing changed, and the sentry
  // then misses on it when it reads the stop. Registers the syscall left
  // alone since the last resume (which the sentry stores the same way)
  // leave their lines in both caches.
  .macro STORE_IF_CHANGED reg, mem
  cmp \reg, \mem
  je 7f
  mov \reg, \mem
7:
  .endm
  .macro STORE_IF_CHANGED_Q imm, mem
  cmpq $\imm, \mem
  je 7f
  movq $\imm, \mem
7:
  .endm
  .macro STORE_IF_CHANGED_L imm, mem
  cmpl $\imm, \mem
  je 7f
  movl $\imm, \mem
7:
  .endm

  // The site table's "number in rax" mark (syscall_patch.h).
#define NR_IN_RAX 0xffff

  // Entry k at runsc_systrap_patch_entries + 16 * k.
  .balign 16
  .globl runsc_systrap_patch_entries
runsc_systrap_patch_entries:
.Lpatch_entry:
  .set site, 0
  .rept SYSTRAP_MAX_PATCH_SITES
  .balign 16
  mov $(8 * site), %ecx
  jmp .Lpatch_common
  .set site, site + 1
  .endr
.Lpatch_common:
  cmp $(8 * (SYSTRAP_MAX_PATCH_SITES - 1)), %rcx
  ja .Lpatch_bad
  // The slot, if the gs base is one of ours, checked with r11 alone (the
  // constants are 64-bit, so they are read from the stub's own text).
  rdgsbase %r11
  sub .Lpatch_table0(%rip), %r11
  cmp $(SYSTRAP_MAX_THREADS * SYSTRAP_SLOT_SIZE), %r11
  jae .Lpatch_bad
  test $(SYSTRAP_SLOT_SIZE - 1), %r11d
  jnz .Lpatch_bad
  add .Lslot0(%rip), %r11
  mov %rax, PF+UC_RAX(%r11)                   // the number, for the second form
  // Off the application's stack first: it may keep data below its rsp
  // (the red zone), which a push there would overwrite.
  STORE_IF_CHANGED %rsp, PF+UC_RSP(%r11)
  lea SYSTRAP_SLOT_SIZE(%r11), %rsp
  pushfq
  pop %rax
  STORE_IF_CHANGED %rax, PF+UC_EFLAGS(%r11)
  STORE_IF_CHANGED %rax, PF+UC_R11(%r11)      // as `syscall` leaves r11
  STORE_IF_CHANGED %r8, PF+UC_R8(%r11)
  STORE_IF_CHANGED %r9, PF+UC_R9(%r11)
  STORE_IF_CHANGED %r10, PF+UC_R10(%r11)
  STORE_IF_CHANGED %r12, PF+UC_R12(%r11)
  STORE_IF_CHANGED %r13, PF+UC_R13(%r11)
  STORE_IF_CHANGED %r14, PF+UC_R14(%r11)
  STORE_IF_CHANGED %r15, PF+UC_R15(%r11)
  STORE_IF_CHANGED %rdi, PF+UC_RDI(%r11)
  STORE_IF_CHANGED %rsi, PF+UC_RSI(%r11)
  STORE_IF_CHANGED %rbp, PF+UC_RBP(%r11)
  STORE_IF_CHANGED %rbx, PF+UC_RBX(%r11)
  STORE_IF_CHANGED %rdx, PF+UC_RDX(%r11)
  mov %r11, %r12
  mov %rcx, %r13
  // Signals stay unblocked: one from here to the resume is dropped
  // (runsc_systrap_signal_handler), which saves two syscalls per stop.
  movabs $SYSTRAP_CTL_BASE, %r15
  mov SYSTRAP_REQ_PATCH_SITES(%r15,%r13), %rax
  mov %rax, %rcx
  shl $16, %rcx
  shr $16, %rcx                               // the address after the site
  shr $48, %rax                               // its syscall number
  cmp $NR_IN_RAX, %rax
  je 1f
  mov %rax, PF+UC_RAX(%r12)
1:
  mov %rcx, PF+UC_RCX(%r12)                   // as `syscall` leaves rcx
  mov %rcx, PF+UC_RIP(%r12)
  // The FP state stays in the registers (stub code touches none): most
  // stops never need it, and an xsave of AVX-512 state is a good part of
  // a stop. fpstate 0 says so; the sentry asks for it (SAVE_FP, below)
  // only when it reads or writes it or resumes through rt_sigreturn.
  // What is the same at every patched stop is stored only if it is not
  // there yet, as the registers are: three of the frame's cache lines
  // (segments and fpstate, siginfo) then never move between the CPUs.
  STORE_IF_CHANGED_Q 0, PF+UC_FPSTATE(%r12)
  STORE_IF_CHANGED_Q UC_SIGCONTEXT_SS_STRICT, PF+UC_FLAGS(%r12)
  STORE_IF_CHANGED_L 0x33, PF+UC_CS(%r12)           // cs, gs
  STORE_IF_CHANGED_L 0x2b0000, PF+UC_FS(%r12)       // fs, ss
  STORE_IF_CHANGED_L SIGSYS, PF+UC_SIGINFO(%r12)
  STORE_IF_CHANGED_L 0, PF+UC_SIGINFO+4(%r12)
  STORE_IF_CHANGED_L SYS_SECCOMP, PF+UC_SIGINFO+8(%r12)
  lea PF(%r12), %rax
  mov %rax, SYSTRAP_CTX_FRAME(%r12)
  rdfsbase %rax
  mov %rax, SYSTRAP_CTX_FS_BASE(%r12)
  rdgsbase %rax
  mov %rax, SYSTRAP_CTX_GS_BASE(%r12)
  jmp .Lapp_report

  // The sentry's SAVE_FP, from a patched stop's wait (.Lapp_spin; r12 =
  // the slot, r15 = SYSTRAP_CTL_BASE): the FP state into the patch frame,
  // then stopped again. In the handler's drop range, as the entry is.
.Lpatch_save_fp:
  // The FP state as the kernel's frame would hold it: xsave of what the
  // kernel saves (SYSTRAP_REQ_XSTATE_SW), with its magic words, so that
  // rt_sigreturn restores all of it. XRSTOR wants the header's reserved
  // bytes zero and XSAVE writes only XSTATE_BV: zero them first.
  cmpl $FP_XSTATE_MAGIC1, SYSTRAP_REQ_XSTATE_SW(%r15)
  jne .Lpatch_fxsave
  lea SYSTRAP_CTX_PATCH_XSAVE(%r12), %rdi
  xor %ecx, %ecx
  mov %rcx, 520(%rdi)
  mov %rcx, 528(%rdi)
  mov %rcx, 536(%rdi)
  mov %rcx, 544(%rdi)
  mov %rcx, 552(%rdi)
  mov %rcx, 560(%rdi)
  mov %rcx, 568(%rdi)
  mov SYSTRAP_REQ_XSTATE_SW+8(%r15), %eax     // xfeatures
  mov SYSTRAP_REQ_XSTATE_SW+12(%r15), %edx
  xsave64 (%rdi)
  mov SYSTRAP_REQ_XSTATE_SW+0(%r15), %rcx
  mov %rcx, 464(%rdi)
  mov SYSTRAP_REQ_XSTATE_SW+8(%r15), %rcx
  mov %rcx, 472(%rdi)
  mov SYSTRAP_REQ_XSTATE_SW+16(%r15), %rcx
  mov %rcx, 480(%rdi)
  mov SYSTRAP_REQ_XSTATE_SW+24(%r15), %rcx
  mov %rcx, 488(%rdi)
  mov SYSTRAP_REQ_XSTATE_SW+32(%r15), %rcx
  mov %rcx, 496(%rdi)
  mov SYSTRAP_REQ_XSTATE_SW+40(%r15), %rcx
  mov %rcx, 504(%rdi)
  mov SYSTRAP_REQ_XSTATE_SW+16(%r15), %ecx    // xstate_size, <= SYSTRAP_MAX_PATCH_XSTATE
  movl $FP_XSTATE_MAGIC2, (%rdi,%rcx)
  mov %rdi, PF+UC_FPSTATE(%r12)
  movq $(UC_SIGCONTEXT_SS_STRICT | UC_FP_XSTATE), PF+UC_FLAGS(%r12)
  jmp .Lapp_report
.Lpatch_fxsave:
  fxsave64 FP(%r12)
  // No xsave magic in the software-reserved words: the kernel's
  // rt_sigreturn then takes the area as a plain FXSAVE image.
  xor %eax, %eax
  mov %rax, FP+464(%r12)
  mov %rax, FP+472(%r12)
  mov %rax, FP+480(%r12)
  mov %rax, FP+488(%r12)
  mov %rax, FP+496(%r12)
  mov %rax, FP+504(%r12)
  lea FP(%r12), %rax
  mov %rax, PF+UC_FPSTATE(%r12)
  movq $UC_SIGCONTEXT_SS_STRICT, PF+UC_FLAGS(%r12)
  jmp .Lapp_report
.Lpatch_end:

  .balign 8
.Lpatch_table0:
  .quad SYSTRAP_CTL_BASE + SYSTRAP_SLOT_SIZE + SYSTRAP_CTX_PATCH_TABLE
.Lslot0:
  .quad SYSTRAP_CTL_BASE + SYSTRAP_SLOT_SIZE

  // sa_restorer of the handler: never used (we never return from it), but
  // the kernel requires one.
  .globl runsc_systrap_restorer
runsc_systrap_restorer:
  ud2

  .balign 4096
  .globl runsc_stub_end
runsc_stub_end:

  .section .note.GNU-stack, "", @progbits
