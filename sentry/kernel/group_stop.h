// The job-control stop of a thread group (man 7 signal "Stop"; Linux's
// do_signal_stop, prepare_signal and do_notify_parent_cldstop): a stop
// signal at its default action stops every thread of the process until
// SIGCONT or SIGKILL, and the parent may learn of both changes through
// SIGCHLD and wait(2).
//
// This is the group's half, a plain state machine (Linux's SIGNAL_STOP_*
// flags, group_exit_code and group_stop_count); which threads still have to
// park is the kernel's business (Task::group_stop_pending), which tells the
// machine when one does. Guarded by Kernel::mu like the rest of ThreadGroup.
#ifndef RUNSC_SENTRY_KERNEL_GROUP_STOP_H_
#define RUNSC_SENTRY_KERNEL_GROUP_STOP_H_

namespace runsc::sentry {

class GroupStop {
 public:
  // What the parent is to be told (do_notify_parent_cldstop's `why`).
  enum class Notice { kNone, kStopped, kContinued };

  // Threads are still on their way to park.
  bool stopping() const { return threads_to_park_ > 0; }
  // Every thread has parked: the process is stopped.
  bool stopped() const { return stopped_; }

  // A thread took stop signal `sig` at its default action. True if this
  // begins a stop that `threads_to_park` threads (the taker included) must
  // join; false if one is already under way or complete, which the thread
  // then simply joins or stays in (two stop signals make one stop).
  [[nodiscard]] bool Begin(int sig, int threads_to_park);
  // A new thread was made while a stop is under way: it must park too.
  void Join() { ++threads_to_park_; }
  // A thread that had to park parked, or went away. kStopped when it was
  // the last: the stop is complete and the parent is to hear of it.
  [[nodiscard]] Notice Participate();
  // SIGCONT was generated for the process: the stop (complete or not) is
  // over. kContinued if the process was stopped; kStopped if the stop was
  // still under way (Linux pretends it completed and was continued, and,
  // SIGCHLD not queueing, the parent hears only of the stop); else kNone.
  [[nodiscard]] Notice Continue();
  // SIGKILL or a group exit: no stop any more and nothing to report.
  void Abort();

  // wait(2) with WUNTRACED/WSTOPPED: the signal that stopped the process,
  // or 0 if there is no stop to report (reported once: see TakeStopReport).
  int stop_report() const { return stopped_ ? stop_signal_ : 0; }
  void TakeStopReport() { stop_signal_ = 0; }
  // wait(2) with WCONTINUED: the process was continued since it was last
  // reported (reported once too).
  bool continued_report() const { return continued_; }
  void TakeContinuedReport() { continued_ = false; }
  // The stop signal for a CLD_STOPPED notice (0 once reported by wait).
  int stop_signal() const { return stop_signal_; }

 private:
  int threads_to_park_ = 0;
  bool stopped_ = false;
  int stop_signal_ = 0;    // Linux's group_exit_code while stopped.
  bool continued_ = false;  // SIGNAL_STOP_CONTINUED.
};

}  // namespace runsc::sentry

#endif  // RUNSC_SENTRY_KERNEL_GROUP_STOP_H_
