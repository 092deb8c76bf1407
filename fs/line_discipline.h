// The line discipline of a sentry pseudo-terminal (man 3 termios; Linux's
// n_tty.c, gVisor's fsimpl/devpts/line_discipline.go): what happens to the
// bytes typed at the master on their way to the replica's readers (input
// flags, canonical editing, echo, the signal keys), and to the bytes the
// replica writes on their way to the master (output processing).
//
// Pure state, no locking and no blocking: the Pty that owns it guards it
// with the kernel mutex and does the waiting. Each side is a bounded queue;
// a call that would overfill one consumes less and says how much it took,
// so that the writer can wait for room.
//
// Not implemented (the flags are kept, as tcsetattr set them, but have no
// effect): IUCLC/OLCUC/XCASE, IMAXBEL, PARMRK and parity, tab and fill
// delays, ECHOPRT, FLUSHO/VDISCARD, VREPRINT, PENDIN.
#ifndef RUNSC_FS_LINE_DISCIPLINE_H_
#define RUNSC_FS_LINE_DISCIPLINE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/types/span.h"

namespace runsc::fs {

// struct termios as the kernel's TCGETS/TCSETS pass it (asm/termbits.h):
// glibc's struct termios is larger (c_cc[32] and the speeds) and is
// translated by glibc, so the sentry must use this one.
struct KernelTermios {
  uint32_t c_iflag;
  uint32_t c_oflag;
  uint32_t c_cflag;
  uint32_t c_lflag;
  uint8_t c_line;
  uint8_t c_cc[19];
};
static_assert(sizeof(KernelTermios) == 36, "TCGETS copies 36 bytes");

// struct termios2 (TCGETS2/TCSETS2, which newer glibc's tcgetattr uses):
// the same with the input and output speeds in baud.
struct KernelTermios2 {
  KernelTermios termios;
  uint32_t c_ispeed;
  uint32_t c_ospeed;
};
static_assert(sizeof(KernelTermios2) == 44, "TCGETS2 copies 44 bytes");

class LineDiscipline {
 public:
  // Linux's N_TTY_BUF_SIZE: a canonical line holds at most this many bytes
  // with its terminator; what is typed beyond that is dropped.
  static constexpr size_t kCanonicalLineMax = 4096;
  // How much typed input may wait for the replica to read it, and how much
  // output for the master to read it (Linux's 64 KiB tty buffer limit).
  static constexpr size_t kQueueCapacity = 65536;

  // termios as a fresh Linux pty has it (`stty -a`): icrnl ixon, opost
  // onlcr, isig icanon iexten echo echoe echok echoctl echoke, cs8 cread,
  // 38400 baud (no hupcl on a pts), and the usual control keys.
  static KernelTermios DefaultTermios();

  LineDiscipline() : termios_(DefaultTermios()) {}

  const KernelTermios& termios() const { return termios_; }
  // TCSETS*: switching canonical mode on or off keeps what was typed.
  void SetTermios(const KernelTermios& t);

  // Typed input (master writes). Consumes bytes until the input queue is
  // full and returns how many it took. Signal keys (ISIG) append their
  // signal to `signals`, for the caller to send to the foreground group.
  size_t ReceiveInput(absl::Span<const uint8_t> in, std::vector<int>& signals);
  // Whether a replica read has something to return: a complete line in
  // canonical mode; at least `min_bytes` bytes otherwise.
  bool InputReadable(size_t min_bytes = 1) const;
  // Replica read: in canonical mode at most one line (an end-of-file key
  // ends a line without being returned, so an empty line reads as 0).
  size_t ReadInput(absl::Span<uint8_t> out);
  // FIONREAD on the replica: what a read could return now.
  size_t InputAvailable() const;
  bool InputHasRoom() const;

  // Replica writes: output processing (OPOST), queued for the master.
  // Consumes bytes until the output queue is full or output is stopped
  // (IXON's stop key), and returns how many it took.
  size_t WriteOutput(absl::Span<const uint8_t> in);
  size_t ReadOutput(absl::Span<uint8_t> out);
  size_t OutputAvailable() const { return output_.size(); }
  bool OutputHasRoom() const { return !stopped_ && output_.size() < kQueueCapacity; }

  // What a pty master in packet mode (TIOCPKT) hears of: TIOCPKT_* bits
  // for flushes (a signal key's), output stopped or started (IXON keys),
  // and flow control switched on or off by SetTermios. Taken, and cleared,
  // by the pty after each call.
  uint8_t TakePacketEvents() { return std::exchange(packet_events_, 0); }

  // TCXONC: TCOOFF/TCOON stop and restart output as the VSTOP and VSTART
  // keys do; TCIOFF/TCION send those keys' characters to the other side,
  // unprocessed (Linux's tty_send_xchar).
  void SetOutputStopped(bool stopped);
  void SendChar(uint8_t c) { output_.push_back(c); }

  // TCFLSH: drop what was typed (and not read) and/or what was written.
  void FlushInput();
  void FlushOutput() { output_.clear(); }

 private:
  bool Canonical() const;
  bool Enabled(int cc_index, uint8_t c) const;
  size_t QueuedInput() const;
  // One typed byte after the input flags; false if it must wait for room.
  bool ReceiveByte(uint8_t c, std::vector<int>& signals);
  void CanonicalByte(uint8_t c);
  void EraseLast(bool echo_erase);
  void EraseWord();
  void KillLine();
  void CompleteLine(bool keep_char, uint8_t c);
  // Echo of a typed byte: control characters as ^X with ECHOCTL.
  void Echo(uint8_t c);
  void EchoRaw(const std::string& s);
  // Output processing of one byte into the output queue.
  void OutputByte(uint8_t c);

  KernelTermios termios_;
  // Canonical mode: lines complete and waiting to be read (an EOF-ended one
  // lacks its terminator), and the line being edited.
  std::deque<std::string> lines_;
  size_t lines_bytes_ = 0;
  std::string editing_;
  // Non-canonical mode: bytes waiting to be read.
  std::deque<uint8_t> raw_;
  // The next byte is taken literally (VLNEXT).
  bool literal_next_ = false;
  // Output stopped by the VSTOP key (IXON) until VSTART (or any key with IXANY).
  bool stopped_ = false;
  uint8_t packet_events_ = 0;
  // Where the output stood when the current ReceiveInput began: the
  // echoes after it are not shown yet, and a signal key drops them.
  size_t echo_start_ = 0;
  std::deque<uint8_t> output_;
  // The output column, for ONOCR (no CR at column 0).
  size_t column_ = 0;
};

}  // namespace runsc::fs

#endif  // RUNSC_FS_LINE_DISCIPLINE_H_
