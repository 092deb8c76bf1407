#include "fs/line_discipline.h"

#include <sys/ioctl.h>
#include <termios.h>

#include <algorithm>
#include <csignal>

namespace runsc::fs {
namespace {

constexpr uint8_t kDisabled = 0;  // _POSIX_VDISABLE.

bool IsControl(uint8_t c) { return c < 0x20 || c == 0x7f; }

}  // namespace

KernelTermios LineDiscipline::DefaultTermios() {
  KernelTermios t{};
  t.c_iflag = ICRNL | IXON;
  t.c_oflag = OPOST | ONLCR;
  t.c_cflag = B38400 | CS8 | CREAD;  // No HUPCL: Linux's pts init_termios.
  t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
  t.c_cc[VINTR] = 0x03;     // ^C
  t.c_cc[VQUIT] = 0x1c;     // ^\ .
  t.c_cc[VERASE] = 0x7f;    // ^?
  t.c_cc[VKILL] = 0x15;     // ^U
  t.c_cc[VEOF] = 0x04;      // ^D
  t.c_cc[VTIME] = 0;
  t.c_cc[VMIN] = 1;
  t.c_cc[VSTART] = 0x11;    // ^Q
  t.c_cc[VSTOP] = 0x13;     // ^S
  t.c_cc[VSUSP] = 0x1a;     // ^Z
  t.c_cc[VREPRINT] = 0x12;  // ^R
  t.c_cc[VDISCARD] = 0x0f;  // ^O
  t.c_cc[VWERASE] = 0x17;   // ^W
  t.c_cc[VLNEXT] = 0x16;    // ^V
  return t;
}

bool LineDiscipline::Canonical() const { return termios_.c_lflag & ICANON; }

bool LineDiscipline::Enabled(int cc_index, uint8_t c) const {
  return termios_.c_cc[cc_index] != kDisabled && termios_.c_cc[cc_index] == c;
}

void LineDiscipline::SetOutputStopped(bool stopped) {
  if (stopped == stopped_) return;
  stopped_ = stopped;
  packet_events_ &= ~(stopped ? TIOCPKT_START : TIOCPKT_STOP);
  packet_events_ |= stopped ? TIOCPKT_STOP : TIOCPKT_START;
}

void LineDiscipline::SetTermios(const KernelTermios& t) {
  // Linux's pty_set_termios: packet mode hears when ^S/^Q flow control
  // starts or stops being in effect.
  auto flow = [](const KernelTermios& k) {
    return (k.c_iflag & IXON) && k.c_cc[VSTOP] == 023 && k.c_cc[VSTART] == 021;
  };
  if (flow(termios_) != flow(t)) {
    packet_events_ &= ~(TIOCPKT_DOSTOP | TIOCPKT_NOSTOP);
    packet_events_ |= flow(t) ? TIOCPKT_DOSTOP : TIOCPKT_NOSTOP;
  }
  const bool was_canonical = Canonical();
  termios_ = t;
  if (!(termios_.c_iflag & IXON)) stopped_ = false;
  if (was_canonical && !Canonical()) {
    // What was typed, lines and the line being edited, becomes readable as is.
    for (const std::string& line : lines_) raw_.insert(raw_.end(), line.begin(), line.end());
    raw_.insert(raw_.end(), editing_.begin(), editing_.end());
    lines_.clear();
    lines_bytes_ = 0;
    editing_.clear();
  } else if (!was_canonical && Canonical() && !raw_.empty()) {
    // As Linux: pending input is pushed as one complete line.
    lines_.emplace_back(raw_.begin(), raw_.end());
    lines_bytes_ += raw_.size();
    raw_.clear();
  }
}

size_t LineDiscipline::QueuedInput() const {
  return lines_bytes_ + editing_.size() + raw_.size();
}

bool LineDiscipline::InputHasRoom() const { return QueuedInput() < kQueueCapacity; }

size_t LineDiscipline::ReceiveInput(absl::Span<const uint8_t> in, std::vector<int>& signals) {
  echo_start_ = output_.size();
  size_t n = 0;
  while (n < in.size() && ReceiveByte(in[n], signals)) ++n;
  return n;
}

bool LineDiscipline::ReceiveByte(uint8_t c, std::vector<int>& signals) {
  if (!InputHasRoom()) return false;
  const uint32_t iflag = termios_.c_iflag;
  const uint32_t lflag = termios_.c_lflag;
  if (iflag & ISTRIP) c &= 0x7f;
  if (literal_next_) {
    literal_next_ = false;
    if ((lflag & ECHO) && (lflag & ECHOCTL)) EchoRaw("\b\b");  // Over the "^\b" shown.
    if (editing_.size() + 1 < kCanonicalLineMax) {
      editing_.push_back(static_cast<char>(c));
      if (lflag & ECHO) Echo(c);
    }
    return true;
  }
  if (iflag & IXON) {
    if (Enabled(VSTART, c)) {
      SetOutputStopped(false);
      return true;
    }
    if (Enabled(VSTOP, c)) {
      SetOutputStopped(true);
      return true;
    }
  }
  if (lflag & ISIG) {
    int sig = 0;
    if (Enabled(VINTR, c)) sig = SIGINT;
    else if (Enabled(VQUIT, c)) sig = SIGQUIT;
    else if (Enabled(VSUSP, c)) sig = SIGTSTP;
    if (sig != 0) {
      signals.push_back(sig);
      // What was typed goes (unless NOFLSH), with the echoes of this
      // same input not yet shown (Linux clears its echo buffer). The rest
      // of the output stays: a pty's flush_buffer leaves the master's data
      // alone since Linux 4.x.
      if (!(lflag & NOFLSH)) {
        FlushInput();
        output_.resize(std::min(output_.size(), echo_start_));
        packet_events_ |= TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE;
      }
      if (iflag & IXON) SetOutputStopped(false);
      if (lflag & ECHO) Echo(c);
      echo_start_ = output_.size();  // The key's own echo is shown at once.
      return true;
    }
  }
  if (stopped_ && (iflag & IXON) && (iflag & IXANY)) SetOutputStopped(false);
  if (c == '\r') {
    if (iflag & IGNCR) return true;
    if (iflag & ICRNL) c = '\n';
  } else if (c == '\n' && (iflag & INLCR)) {
    c = '\r';
  }
  if (Canonical()) {
    CanonicalByte(c);
    return true;
  }
  raw_.push_back(c);
  if (lflag & ECHO) Echo(c);
  return true;
}

void LineDiscipline::CanonicalByte(uint8_t c) {
  const uint32_t lflag = termios_.c_lflag;
  const bool iexten = lflag & IEXTEN;
  if (Enabled(VERASE, c)) {
    EraseLast(/*echo_erase=*/true);
    return;
  }
  if (Enabled(VKILL, c)) {
    KillLine();
    return;
  }
  if (iexten && Enabled(VWERASE, c)) {
    EraseWord();
    return;
  }
  if (iexten && Enabled(VLNEXT, c)) {
    literal_next_ = true;
    if ((lflag & ECHO) && (lflag & ECHOCTL)) EchoRaw("^\b");
    return;
  }
  if (c == '\n') {
    if ((lflag & (ECHO | ECHONL)) && output_.size() < kQueueCapacity) OutputByte('\n');
    CompleteLine(/*keep_char=*/true, c);
    return;
  }
  if (Enabled(VEOF, c)) {
    // Ends the line without being part of it, and is not echoed.
    CompleteLine(/*keep_char=*/false, c);
    return;
  }
  if (Enabled(VEOL, c) || (iexten && Enabled(VEOL2, c))) {
    if (lflag & ECHO) Echo(c);
    CompleteLine(/*keep_char=*/true, c);
    return;
  }
  // An ordinary byte; dropped once the line is full, leaving room for
  // its terminator (Linux's N_TTY_BUF_SIZE - 1).
  if (editing_.size() + 1 >= kCanonicalLineMax) return;
  editing_.push_back(static_cast<char>(c));
  if (lflag & ECHO) Echo(c);
}

void LineDiscipline::CompleteLine(bool keep_char, uint8_t c) {
  if (keep_char) editing_.push_back(static_cast<char>(c));
  lines_bytes_ += editing_.size();
  lines_.push_back(std::move(editing_));
  editing_.clear();
}

void LineDiscipline::EraseLast(bool echo_erase) {
  if (editing_.empty()) return;
  const uint8_t c = static_cast<uint8_t>(editing_.back());
  editing_.pop_back();
  const uint32_t lflag = termios_.c_lflag;
  if (!(lflag & ECHO)) return;
  if (!(lflag & ECHOE)) {
    // Without ECHOE the erase key itself is shown.
    if (echo_erase) Echo(termios_.c_cc[VERASE]);
    return;
  }
  // A control character was echoed as two columns (^X).
  const int width = (IsControl(c) && c != '\t' && (lflag & ECHOCTL)) ? 2 : 1;
  for (int i = 0; i < width; ++i) EchoRaw("\b \b");
}

void LineDiscipline::EraseWord() {
  // Blanks before the word, then the word (Linux's WERASE: alphanumerics
  // and '_' make a word).
  auto is_word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
  while (!editing_.empty() && (editing_.back() == ' ' || editing_.back() == '\t')) {
    EraseLast(false);
  }
  if (!editing_.empty() && !is_word(editing_.back())) {
    EraseLast(false);
    return;
  }
  while (!editing_.empty() && is_word(editing_.back())) EraseLast(false);
}

void LineDiscipline::KillLine() {
  const uint32_t lflag = termios_.c_lflag;
  if (editing_.empty()) return;
  if ((lflag & ECHO) && (lflag & ECHOK) && (lflag & ECHOKE) && (lflag & ECHOE)) {
    while (!editing_.empty()) EraseLast(false);
    return;
  }
  editing_.clear();
  if (!(lflag & ECHO)) return;
  Echo(termios_.c_cc[VKILL]);
  if ((lflag & ECHOK) && output_.size() < kQueueCapacity) OutputByte('\n');
}

void LineDiscipline::Echo(uint8_t c) {
  // Nobody reads the master: echoes are dropped rather than queued without
  // bound (Linux's echo buffer keeps only the last 4096 bytes).
  if (output_.size() >= kQueueCapacity) return;
  if ((termios_.c_lflag & ECHOCTL) && IsControl(c) && c != '\t' && c != '\n') {
    OutputByte('^');
    OutputByte(c ^ 0x40);
    return;
  }
  OutputByte(c);
}

void LineDiscipline::EchoRaw(const std::string& s) {
  if (output_.size() >= kQueueCapacity) return;
  for (char ch : s) OutputByte(static_cast<uint8_t>(ch));
}

bool LineDiscipline::InputReadable(size_t min_bytes) const {
  if (Canonical()) return !lines_.empty();
  return raw_.size() >= std::max<size_t>(1, min_bytes);
}

size_t LineDiscipline::InputAvailable() const {
  return Canonical() ? lines_bytes_ : raw_.size();
}

size_t LineDiscipline::ReadInput(absl::Span<uint8_t> out) {
  if (Canonical()) {
    if (lines_.empty()) return 0;
    std::string& line = lines_.front();
    const size_t n = std::min(out.size(), line.size());
    std::copy(line.begin(), line.begin() + n, out.begin());
    lines_bytes_ -= n;
    if (n == line.size()) {
      lines_.pop_front();
    } else {
      line.erase(0, n);  // The rest is read by the next read.
    }
    return n;
  }
  const size_t n = std::min(out.size(), raw_.size());
  std::copy(raw_.begin(), raw_.begin() + n, out.begin());
  raw_.erase(raw_.begin(), raw_.begin() + n);
  return n;
}

void LineDiscipline::FlushInput() {
  lines_.clear();
  lines_bytes_ = 0;
  editing_.clear();
  raw_.clear();
  literal_next_ = false;
}

size_t LineDiscipline::WriteOutput(absl::Span<const uint8_t> in) {
  size_t n = 0;
  while (n < in.size() && OutputHasRoom()) OutputByte(in[n++]);
  return n;
}

size_t LineDiscipline::ReadOutput(absl::Span<uint8_t> out) {
  const size_t n = std::min(out.size(), output_.size());
  std::copy(output_.begin(), output_.begin() + n, out.begin());
  output_.erase(output_.begin(), output_.begin() + n);
  return n;
}

void LineDiscipline::OutputByte(uint8_t c) {
  const uint32_t oflag = termios_.c_oflag;
  if (!(oflag & OPOST)) {
    output_.push_back(c);
    return;
  }
  switch (c) {
    case '\n':
      if (oflag & ONLCR) {
        output_.push_back('\r');
        column_ = 0;
      }
      if (oflag & ONLRET) column_ = 0;
      break;
    case '\r':
      if ((oflag & ONOCR) && column_ == 0) return;
      if (oflag & OCRNL) {
        c = '\n';
        if (oflag & ONLRET) column_ = 0;
        break;
      }
      column_ = 0;
      break;
    case '\t': column_ = (column_ | 7) + 1; break;
    case '\b': if (column_ > 0) --column_; break;
    default: if (!IsControl(c)) ++column_; break;
  }
  output_.push_back(c);
}

}  // namespace runsc::fs
