// signalfd(2): a file whose reads take, as struct signalfd_siginfo, the
// signals of its mask that are pending for the reading task, instead of
// their being delivered.
#ifndef RUNSC_FS_SIGNALFD_FILE_H_
#define RUNSC_FS_SIGNALFD_FILE_H_

#include <signal.h>
#include <sys/signalfd.h>

#include "fs/file.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signals.h"

namespace runsc::fs {

class SignalfdFile : public File {
 public:
  // `mask` loses SIGKILL and SIGSTOP, as in Linux. `nonblock`: O_NONBLOCK
  // (SFD_NONBLOCK).
  SignalfdFile(sentry::Kernel& kernel, sentry::SignalSet mask, bool nonblock);

  // signalfd(2) on an existing signalfd replaces its mask.
  void SetMask(sentry::SignalSet mask);
  sentry::SignalSet MaskForTest();

  // Takes as many signals of the mask pending for `task` as whole
  // signalfd_siginfo records fit in `buf` (EINVAL if not even one). With
  // none pending, waits interruptibly (ERESTARTSYS), or is EAGAIN with
  // O_NONBLOCK.
  absl::StatusOr<size_t> Read(sentry::Task& task, absl::Span<uint8_t> buf) override;
  // POLLIN while a signal of the mask is pending for the polling task.
  short PollLocked(sentry::Task& task, short events) override;
  absl::StatusOr<struct stat> Stat() override;
  std::string FdInfoLocked() const override;

  // The record a read returns for `info` (Linux's signalfd_copyinfo).
  static struct signalfd_siginfo ToSignalfdSiginfo(const siginfo_t& info);

 private:
  sentry::Kernel& kernel_;
  // Guarded by kernel_.mu.
  sentry::SignalSet mask_;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_SIGNALFD_FILE_H_
