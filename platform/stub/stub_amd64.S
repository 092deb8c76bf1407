// Stub code; see stub.h. Position-independent: it runs from a copy at
// kStubBase, so only relative jumps and no data references.

#define SYS_munmap 11
#define SYS_pause 34
#define SYS_getpid 39
#define SYS_kill 62
#define SYS_prctl 157
#define PR_SET_PDEATHSIG 1
#define SIGKILL 9
#define SIGSTOP 19

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

  .balign 4096
  .globl runsc_stub_end
runsc_stub_end:

  .section .note.GNU-stack, "", @progbits
