// Signal numbers, sets and dispositions as the Linux ABI defines them.
#ifndef RUNSC_SENTRY_KERNEL_SIGNALS_H_
#define RUNSC_SENTRY_KERNEL_SIGNALS_H_

#include <signal.h>

#include <array>
#include <cstdint>

namespace runsc::sentry {

inline constexpr int kMaxSignal = 64;
using SignalSet = uint64_t;  // Bit (sig - 1) for signal sig.

inline constexpr SignalSet SignalBit(int sig) { return SignalSet{1} << (sig - 1); }
inline constexpr SignalSet kUnblockableSignals = SignalBit(SIGKILL) | SignalBit(SIGSTOP);
inline bool ValidSignal(int sig) { return sig >= 1 && sig <= kMaxSignal; }

// struct k_sigaction as rt_sigaction(2) passes it on x86-64.
struct KernelSigaction {
  uint64_t handler = 0;  // SIG_DFL (0), SIG_IGN (1) or an address.
  uint64_t flags = 0;
  uint64_t restorer = 0;
  SignalSet mask = 0;
};
static_assert(sizeof(KernelSigaction) == 32);

// What the default action of a signal is (signal(7)).
enum class DefaultAction { kTerminate, kCoreDump, kIgnore, kStop, kContinue };
DefaultAction DefaultActionOf(int sig);

// A process's dispositions (shared by threads; copied by fork; reset to
// default for handled signals by execve).
struct SignalHandlers {
  std::array<KernelSigaction, kMaxSignal> actions{};
  KernelSigaction& at(int sig) { return actions[sig - 1]; }
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_SIGNALS_H_
