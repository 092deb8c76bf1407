// The memory the systrap stub shares with the sentry (DESIGN §3), used by
// both sides: the stub's assembly (stub_amd64.S, which sees only the
// #defines) and the sentry's C++ (which also gets the structs, checked
// against the #defines with static_assert).
//
// Every stub process has one control area at SYSTRAP_CTL_BASE, a MAP_SHARED
// mapping of a memfd the sentry also maps (at an address of its choosing):
//
//   [CTL_BASE, +4 KiB)        request page: the sentry's requests to the
//                             stub's syscall thread and read-only data
//                             (spin budget, the app-thread filter). Mapped
//                             PROT_READ in the stub: no thread of the stub
//                             can change a request.
//   [CTL_BASE+4 KiB, +8 KiB)  reply page: the syscall thread's answers.
//   slot i at CTL_BASE + (i+1) * SLOT_SIZE, SLOT_SIZE-aligned: one per
//                             application thread. Its first page is the
//                             thread's context (state word, frame pointer,
//                             fs/gs base); the rest is its sigaltstack, so
//                             the signal handler finds its slot as
//                             rsp & ~(SLOT_SIZE - 1).
//
// The control area is writable by the application (its threads share the
// mm) except the request page. The sentry therefore treats everything it
// reads from a slot or the reply page as application-controlled: registers
// are the application's anyway, and pointers (the signal frame) are checked
// to lie inside the slot before they are followed (systrap_context.cc).
#ifndef RUNSC_PLATFORM_STUB_SYSTRAP_LAYOUT_H_
#define RUNSC_PLATFORM_STUB_SYSTRAP_LAYOUT_H_

#define SYSTRAP_CTL_BASE 0x7e0000100000
#define SYSTRAP_SLOT_SIZE 0x10000
#define SYSTRAP_MAX_THREADS 1024
#define SYSTRAP_CTL_SIZE (SYSTRAP_SLOT_SIZE * (SYSTRAP_MAX_THREADS + 1))

// Request page (offsets from CTL_BASE).
#define SYSTRAP_REQ_SEQ 0         // u32 seqlock word: odd while the sentry writes
#define SYSTRAP_REQ_KIND 8        // u64 SYSTRAP_KIND_*
#define SYSTRAP_REQ_NR 16         // u64 syscall number
#define SYSTRAP_REQ_ARGS 24       // u64[6]
#define SYSTRAP_REQ_SPIN 80       // u64 spin budget in TSC cycles
#define SYSTRAP_REQ_PROG 96       // struct sock_fprog of the app-thread filter
#define SYSTRAP_REQ_FILTER 128    // its instructions (at most 48)
#define SYSTRAP_MAX_FILTER 48
// The patched syscall sites (platform/systrap/syscall_patch.h): entry k, a
// u64, is (nr << 48) | the address after site k's 7 bytes. Read-only in the
// stub like the rest of this page; the sentry writes an entry before the
// site's patch, so a thread never jumps to an entry not yet there.
#define SYSTRAP_REQ_PATCH_SITES 2048
// The kernel's description of its xsave signal frames (struct
// _fpx_sw_bytes, the FXSAVE image's software-reserved 48 bytes), copied by
// the sentry from a frame the kernel built, checked: the patch entry saves
// the FP state as the kernel would (xsave, not just fxsave, so that AVX
// state survives a patched syscall). Zero until known: fxsave then.
#define SYSTRAP_REQ_XSTATE_SW 512
#define SYSTRAP_XSTATE_SW_SIZE 48
// The kernel's signal-frame words for the FP state (asm/sigcontext.h,
// asm/ucontext.h), for the stub's code and the sentry's checks alike.
#define SYSTRAP_FP_XSTATE_MAGIC1 0x46505853  // in the software-reserved words
#define SYSTRAP_FP_XSTATE_MAGIC2 0x46505845  // after the xsave image
#define SYSTRAP_UC_FP_XSTATE 1               // uc_flags: the image is xsave, not FXSAVE
#define SYSTRAP_UC_SIGCONTEXT_SS_STRICT 6    // uc_flags: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS
#define SYSTRAP_MAX_PATCH_SITES 32

#define SYSTRAP_KIND_SYSCALL 1    // run nr(args) and reply with rax
#define SYSTRAP_KIND_FORK 2       // clone(args); the child maps memfd args[5] over its area
#define SYSTRAP_KIND_THREAD 3     // clone(args); the thread runs app code from slot args[5]

// Reply page (offsets from CTL_BASE).
#define SYSTRAP_REP_DONE 4096             // u32 futex word: seq of the last request done
#define SYSTRAP_REP_SENTRY_SLEEPING 4100  // u32: the sentry sleeps on DONE, wake it
#define SYSTRAP_REP_STUB_SLEEPING 4104    // u32: the syscall thread sleeps on SEQ
#define SYSTRAP_REP_RESULT 4112           // i64 raw result

// Thread context (offsets from the slot base).
#define SYSTRAP_CTX_STATE 0            // u32 futex word, SYSTRAP_STATE_*
#define SYSTRAP_CTX_STUB_SLEEPING 4    // u32: the stub thread sleeps on STATE
#define SYSTRAP_CTX_SENTRY_SLEEPING 8  // u32: the sentry sleeps on STATE
#define SYSTRAP_CTX_COMMAND 12         // u32 SYSTRAP_CMD_*
#define SYSTRAP_CTX_FRAME 16           // u64 address of the ucontext to sigreturn to
#define SYSTRAP_CTX_FS_BASE 24         // u64
#define SYSTRAP_CTX_GS_BASE 32         // u64
// u64: how long (TSC cycles) the stopped thread spins for its resume before
// it sleeps on STATE; set by the sentry before each resume
// (platform/systrap/spin_policy.h). The application can write it too, and
// so spin its own thread longer in stub code: no more than a loop of its
// own would burn.
#define SYSTRAP_CTX_SPIN 40
// A patched thread's host gs base is slot + SYSTRAP_CTX_PATCH_TABLE: the
// patched code's `jmp *%gs:(%rax)` with rax = 8 * site index reads its
// target here (SYSTRAP_MAX_PATCH_SITES u64, each the patch entry). Only
// while the application's own gs base is 0 (syscall_patch.h).
#define SYSTRAP_CTX_PATCH_TABLE 1024
#define SYSTRAP_CTX_INITIAL_FP 2048    // 512-byte FXSAVE area of the first frame
                                       // and of every patched stop's frame
// The ucontext a patched stop builds (and the first frame), then its
// siginfo: as the kernel's rt_sigframe minus the return address.
#define SYSTRAP_CTX_PATCH_FRAME 4104
// The xsave area of a patched stop (64-byte aligned), at most
// SYSTRAP_MAX_PATCH_XSTATE bytes plus the 4 of FP_XSTATE_MAGIC2: far below
// the kernel's signal frames, which grow down from the top of the slot.
#define SYSTRAP_CTX_PATCH_XSAVE 8192
#define SYSTRAP_MAX_PATCH_XSTATE 16384
#define SYSTRAP_STACK_OFFSET 4096      // sigaltstack: the rest of the slot

// The thread died: the kernel's CLONE_CHILD_CLEARTID wrote 0 here.
#define SYSTRAP_STATE_GONE 0
// The sentry let the stub thread go (run application code, or exit).
#define SYSTRAP_STATE_RUNNING 1
// The stub thread stopped (signal handler or first entry) and waits.
#define SYSTRAP_STATE_STOPPED 2
// Set by the sentry before the thread exists.
#define SYSTRAP_STATE_STARTING 3
// Set by the sentry at a patched stop whose FP state is still in the
// thread's registers (the patch frame's fpstate is 0): the thread saves it
// into the patch frame (xsave, as the kernel's frame would hold it) and
// reports STOPPED again.
#define SYSTRAP_STATE_SAVE_FP 4

#define SYSTRAP_CMD_RESUME 0
#define SYSTRAP_CMD_EXIT 1
// Resume from the patch frame in user space, without rt_sigreturn (the
// stop was a patched one, its FP state untouched, the gs base the slot's
// patch table): stub_amd64.S .Lapp_run_fast.
#define SYSTRAP_CMD_RESUME_FAST 2

#ifndef __ASSEMBLER__

#include <linux/filter.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace runsc::platform::systrap {

inline constexpr uint64_t kCtlBase = SYSTRAP_CTL_BASE;
inline constexpr uint64_t kSlotSize = SYSTRAP_SLOT_SIZE;
inline constexpr uint64_t kCtlSize = SYSTRAP_CTL_SIZE;
inline constexpr int kMaxThreads = SYSTRAP_MAX_THREADS;
inline constexpr uint64_t kPageSize = 4096;

inline constexpr uint64_t SlotOffset(int slot) { return (static_cast<uint64_t>(slot) + 1) * kSlotSize; }

struct RequestPage {
  std::atomic<uint32_t> seq;
  uint32_t pad0;
  uint64_t kind;
  uint64_t nr;
  uint64_t args[6];
  uint64_t pad_args;
  uint64_t spin_cycles;
  uint64_t pad1;
  struct {
    uint16_t len;
    uint16_t pad[3];
    uint64_t filter;  // stub address of `filter` below
  } prog;
  uint64_t pad2[2];
  sock_filter filter[SYSTRAP_MAX_FILTER];
};
static_assert(offsetof(RequestPage, seq) == SYSTRAP_REQ_SEQ);
static_assert(offsetof(RequestPage, kind) == SYSTRAP_REQ_KIND);
static_assert(offsetof(RequestPage, nr) == SYSTRAP_REQ_NR);
static_assert(offsetof(RequestPage, args) == SYSTRAP_REQ_ARGS);
static_assert(offsetof(RequestPage, spin_cycles) == SYSTRAP_REQ_SPIN);
static_assert(offsetof(RequestPage, prog) == SYSTRAP_REQ_PROG);
static_assert(offsetof(RequestPage, filter) == SYSTRAP_REQ_FILTER);
static_assert(SYSTRAP_REQ_FILTER + SYSTRAP_MAX_FILTER * sizeof(sock_filter) <=
              SYSTRAP_REQ_PATCH_SITES);
static_assert(SYSTRAP_REQ_PATCH_SITES + SYSTRAP_MAX_PATCH_SITES * 8 <= kPageSize);
static_assert(SYSTRAP_REQ_XSTATE_SW >= SYSTRAP_REQ_FILTER + SYSTRAP_MAX_FILTER * sizeof(sock_filter));
static_assert(SYSTRAP_REQ_XSTATE_SW + SYSTRAP_XSTATE_SW_SIZE <= SYSTRAP_REQ_PATCH_SITES);
static_assert(SYSTRAP_CTX_PATCH_XSAVE % 64 == 0);
static_assert(SYSTRAP_CTX_PATCH_XSAVE + SYSTRAP_MAX_PATCH_XSTATE + 4 <= SYSTRAP_SLOT_SIZE / 2);
// The patched code spells 8 * index as one byte (`mov $imm8, %al`).
static_assert(8 * (SYSTRAP_MAX_PATCH_SITES - 1) <= 0xff);
static_assert(sizeof(RequestPage) <= kPageSize);

struct ReplyPage {
  std::atomic<uint32_t> done;
  std::atomic<uint32_t> sentry_sleeping;
  std::atomic<uint32_t> stub_sleeping;
  uint32_t pad;
  std::atomic<int64_t> result;
};
static_assert(offsetof(ReplyPage, done) + kPageSize == SYSTRAP_REP_DONE);
static_assert(offsetof(ReplyPage, sentry_sleeping) + kPageSize == SYSTRAP_REP_SENTRY_SLEEPING);
static_assert(offsetof(ReplyPage, stub_sleeping) + kPageSize == SYSTRAP_REP_STUB_SLEEPING);
static_assert(offsetof(ReplyPage, result) + kPageSize == SYSTRAP_REP_RESULT);

// struct _fpx_sw_bytes: the software-reserved words (bytes 464..511) of
// the FXSAVE part of a signal frame's FP state, describing its xsave image.
struct FpxSwBytes {
  uint32_t magic1;         // SYSTRAP_FP_XSTATE_MAGIC1 if the image is xsave
  uint32_t extended_size;  // xstate_size + 4 (SYSTRAP_FP_XSTATE_MAGIC2)
  uint64_t xfeatures;
  uint32_t xstate_size;
  uint32_t padding[7];
};
static_assert(sizeof(FpxSwBytes) == SYSTRAP_XSTATE_SW_SIZE);

struct ThreadContext {
  std::atomic<uint32_t> state;
  std::atomic<uint32_t> stub_sleeping;
  std::atomic<uint32_t> sentry_sleeping;
  uint32_t command;
  uint64_t frame;
  uint64_t fs_base;
  uint64_t gs_base;
  uint64_t spin_cycles;
};
static_assert(offsetof(ThreadContext, state) == SYSTRAP_CTX_STATE);
static_assert(offsetof(ThreadContext, spin_cycles) == SYSTRAP_CTX_SPIN);
static_assert(offsetof(ThreadContext, stub_sleeping) == SYSTRAP_CTX_STUB_SLEEPING);
static_assert(offsetof(ThreadContext, sentry_sleeping) == SYSTRAP_CTX_SENTRY_SLEEPING);
static_assert(offsetof(ThreadContext, command) == SYSTRAP_CTX_COMMAND);
static_assert(offsetof(ThreadContext, frame) == SYSTRAP_CTX_FRAME);
static_assert(offsetof(ThreadContext, fs_base) == SYSTRAP_CTX_FS_BASE);
static_assert(offsetof(ThreadContext, gs_base) == SYSTRAP_CTX_GS_BASE);
static_assert(std::atomic<uint32_t>::is_always_lock_free);
static_assert(sizeof(ThreadContext) <= SYSTRAP_CTX_PATCH_TABLE);
static_assert(SYSTRAP_CTX_PATCH_TABLE + SYSTRAP_MAX_PATCH_SITES * 8 <= SYSTRAP_CTX_INITIAL_FP);

// The kernel's x86-64 signal frame (arch/x86/include/uapi/asm/sigcontext.h,
// arch/x86/include/asm/sigframe.h), spelled out because glibc's ucontext_t
// is larger than the kernel's.
struct KernelSigcontext {
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2;
  uint64_t fpstate;
  uint64_t reserved[8];
};
static_assert(sizeof(KernelSigcontext) == 256);

struct KernelUcontext {
  uint64_t flags;
  uint64_t link;
  uint64_t ss_sp;
  int32_t ss_flags;
  int32_t pad;
  uint64_t ss_size;
  KernelSigcontext mcontext;
  uint64_t sigmask;
};
static_assert(offsetof(KernelUcontext, mcontext) == 40);
static_assert(sizeof(KernelUcontext) == 304);

// rt_sigframe: the return address (pretcode) sits 8 bytes below the
// ucontext, the siginfo right after it.
inline constexpr uint64_t kSiginfoAfterUcontext = sizeof(KernelUcontext);
inline constexpr uint64_t kFrameBytesFromUcontext = sizeof(KernelUcontext) + 128;

// Where the sentry builds a thread's first frame (before any signal), as
// an offset from the slot: in the middle of the sigaltstack, which the
// kernel fills from the top.
inline constexpr uint64_t kInitialFrameOffset = SYSTRAP_STACK_OFFSET + 8;
static_assert(kInitialFrameOffset == SYSTRAP_CTX_PATCH_FRAME);
static_assert(offsetof(KernelUcontext, mcontext) + offsetof(KernelSigcontext, rip) == 168);

}  // namespace runsc::platform::systrap

#endif  // __ASSEMBLER__

#endif  // RUNSC_PLATFORM_STUB_SYSTRAP_LAYOUT_H_
