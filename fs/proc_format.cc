#include "fs/proc_format.h"

#include <sys/mman.h>
#include <sys/sysmacros.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace runsc::fs {
namespace {

using sentry::Mapping;

bool Accessible(const Mapping& m) { return m.prot != PROT_NONE; }
bool IsFile(const Mapping& m) { return m.ino != 0; }
bool IsStack(const Mapping& m) { return m.name == "[stack]"; }

// Linux's "Name:   N kB" lines: the label padded to 16, the value to 8.
void KbLine(std::string& out, absl::string_view label, uint64_t bytes) {
  absl::StrAppendFormat(&out, "%-16s%8u kB\n", absl::StrCat(label, ":"), bytes >> 10);
}

// The counters smaps shows for one mapping or the sum of several.
struct SmapsCounters {
  uint64_t size = 0, rss = 0, shared_clean = 0, shared_dirty = 0, private_clean = 0,
           private_dirty = 0, anonymous = 0, pss_anon = 0, pss_file = 0, pss_shmem = 0;
  void Add(const Mapping& m) {
    const uint64_t len = m.end - m.start;
    size += len;
    if (!Accessible(m)) return;
    rss += len;
    // What a page of the mapping would be once touched.
    if (m.shared) {
      (m.prot & PROT_WRITE ? shared_dirty : shared_clean) += len;
      (IsFile(m) ? pss_file : pss_shmem) += len;
    } else if (IsFile(m) && !(m.prot & PROT_WRITE)) {
      private_clean += len;
      pss_file += len;
    } else {
      private_dirty += len;
      if (IsFile(m)) {
        pss_file += len;
      } else {
        anonymous += len;
        pss_anon += len;
      }
    }
  }
  void AppendTo(std::string& out, bool rollup) const {
    if (!rollup) {
      KbLine(out, "Size", size);
      KbLine(out, "KernelPageSize", 4096);
      KbLine(out, "MMUPageSize", 4096);
    }
    KbLine(out, "Rss", rss);
    KbLine(out, "Pss", rss);
    KbLine(out, "Pss_Dirty", shared_dirty + private_dirty);
    if (rollup) {
      KbLine(out, "Pss_Anon", pss_anon);
      KbLine(out, "Pss_File", pss_file);
      KbLine(out, "Pss_Shmem", pss_shmem);
    }
    KbLine(out, "Shared_Clean", shared_clean);
    KbLine(out, "Shared_Dirty", shared_dirty);
    KbLine(out, "Private_Clean", private_clean);
    KbLine(out, "Private_Dirty", private_dirty);
    KbLine(out, "Referenced", rss);
    KbLine(out, "Anonymous", anonymous);
    for (const char* zero : {"KSM", "LazyFree", "AnonHugePages", "ShmemPmdMapped",
                             "FilePmdMapped", "Shared_Hugetlb", "Private_Hugetlb", "Swap",
                             "SwapPss", "Locked"}) {
      KbLine(out, zero, 0);
    }
  }
};

// smaps' VmFlags: what the protection and sharing say (rd wr ex sh, the
// may* bits, gd for the stack, ac for private writable memory).
std::string VmFlags(const Mapping& m) {
  std::string out = "VmFlags: ";
  if (m.prot & PROT_READ) out += "rd ";
  if (m.prot & PROT_WRITE) out += "wr ";
  if (m.prot & PROT_EXEC) out += "ex ";
  if (m.shared) out += "sh ";
  out += "mr mw me ";
  if (m.shared) out += "ms ";
  if (IsStack(m)) out += "gd ";
  if (!m.shared && (m.prot & PROT_WRITE)) out += "ac ";
  return out + "\n";
}

std::string OctalEscape(const std::string& in, absl::string_view specials) {
  std::string out;
  for (char c : in) {
    if (specials.find(c) != absl::string_view::npos) {
      absl::StrAppendFormat(&out, "\\%03o", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string FormatMapsLine(const Mapping& m) {
  std::string out = absl::StrFormat(
      "%08x-%08x %c%c%c%c %08x %02x:%02x %u ", m.start, m.end, (m.prot & PROT_READ) ? 'r' : '-',
      (m.prot & PROT_WRITE) ? 'w' : '-', (m.prot & PROT_EXEC) ? 'x' : '-', m.shared ? 's' : 'p',
      IsFile(m) ? m.offset : 0, major(m.dev), minor(m.dev), m.ino);
  if (!m.name.empty()) {
    // seq_setwidth(25 + 6 * sizeof(void*) - 1), seq_pad(' '): the name
    // starts past column 72, one space after a longer prefix.
    constexpr size_t kWidth = 25 + 6 * 8 - 1;
    if (out.size() < kWidth) out.append(kWidth - out.size(), ' ');
    out += ' ';
    out += OctalEscape(m.name, "\n");
  }
  out += '\n';
  return out;
}

MemoryUsage UsageOf(const std::vector<Mapping>& mappings, const std::string& exe_path) {
  MemoryUsage u;
  for (const Mapping& m : mappings) {
    const uint64_t len = m.end - m.start;
    u.size += len;
    if (IsStack(m)) {
      u.stack += len;
    } else if (!m.shared && (m.prot & PROT_WRITE)) {
      u.data += len;
    }
    if ((m.prot & PROT_EXEC) && IsFile(m)) (m.name == exe_path ? u.exe : u.lib) += len;
    if (!Accessible(m)) continue;
    if (m.shared && !IsFile(m)) {
      u.rss_shmem += len;
    } else if (IsFile(m)) {
      u.rss_file += len;
    } else {
      u.rss_anon += len;
    }
  }
  return u;
}

std::string FormatSmaps(const std::vector<Mapping>& mappings) {
  std::string out;
  for (const Mapping& m : mappings) {
    out += FormatMapsLine(m);
    SmapsCounters c;
    c.Add(m);
    c.AppendTo(out, /*rollup=*/false);
    out += "THPeligible:    0\n";
    out += VmFlags(m);
  }
  return out;
}

std::string FormatSmapsRollup(const std::vector<Mapping>& mappings) {
  SmapsCounters c;
  for (const Mapping& m : mappings) c.Add(m);
  Mapping header;
  if (!mappings.empty()) {
    header.start = mappings.front().start;
    header.end = mappings.back().end;
  }
  header.name = "[rollup]";
  std::string out = FormatMapsLine(header);
  c.AppendTo(out, /*rollup=*/true);
  return out;
}

std::string FormatStatm(const MemoryUsage& u) {
  constexpr uint64_t kPage = sentry::kPageSize;
  return absl::StrFormat("%u %u %u %u 0 %u 0\n", u.size / kPage, u.rss() / kPage,
                         (u.rss_file + u.rss_shmem) / kPage, u.exe / kPage,
                         (u.data + u.stack) / kPage);
}

std::string FormatLimits(const std::array<struct rlimit, RLIM_NLIMITS>& limits) {
  struct Row {
    const char* name;
    const char* unit;  // Null: no unit column.
  };
  // Linux's lnames[], indexed by RLIMIT_*.
  static constexpr Row kRows[RLIM_NLIMITS] = {
      {"Max cpu time", "seconds"},      {"Max file size", "bytes"},
      {"Max data size", "bytes"},       {"Max stack size", "bytes"},
      {"Max core file size", "bytes"},  {"Max resident set", "bytes"},
      {"Max processes", "processes"},   {"Max open files", "files"},
      {"Max locked memory", "bytes"},   {"Max address space", "bytes"},
      {"Max file locks", "locks"},      {"Max pending signals", "signals"},
      {"Max msgqueue size", "bytes"},   {"Max nice priority", nullptr},
      {"Max realtime priority", nullptr}, {"Max realtime timeout", "us"},
  };
  static_assert(RLIMIT_CPU == 0 && RLIMIT_RTTIME == 15 && RLIM_NLIMITS == 16);
  std::string out =
      absl::StrFormat("%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
  auto value = [](rlim_t v) {
    return v == RLIM_INFINITY ? absl::StrFormat("%-20s ", "unlimited")
                              : absl::StrFormat("%-20u ", v);
  };
  for (int i = 0; i < RLIM_NLIMITS; ++i) {
    absl::StrAppendFormat(&out, "%-25s ", kRows[i].name);
    out += value(limits[i].rlim_cur);
    out += value(limits[i].rlim_max);
    out += kRows[i].unit ? absl::StrFormat("%-10s\n", kRows[i].unit) : "\n";
  }
  return out;
}

std::string EscapeStatusName(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatCpuMask(int cpus) {
  // 32-bit words, most significant first, comma-separated; the first
  // without leading zeros, as Linux's bitmap_print_to_pagebuf.
  std::vector<uint32_t> words((std::max(cpus, 1) + 31) / 32, 0);
  for (int cpu = 0; cpu < cpus; ++cpu) words[cpu / 32] |= uint32_t{1} << (cpu % 32);
  std::string out;
  for (size_t i = words.size(); i-- > 0;) {
    out += i + 1 == words.size() ? absl::StrFormat("%x", words[i]) : absl::StrFormat(",%08x", words[i]);
  }
  return out;
}

std::string FormatStatus(const TaskStatus& s) {
  static constexpr const char* kStateNames[] = {"R (running)", "S (sleeping)", "Z (zombie)",
                                                "T (stopped)", "D (disk sleep)"};
  const char* state = kStateNames[0];
  for (const char* name : kStateNames) {
    if (name[0] == s.state) state = name;
  }
  // Linux's separator before every group but the first, and a trailing
  // space it keeps for compatibility.
  std::string groups = absl::StrCat(absl::StrJoin(s.groups, " "), " ");
  std::string out = absl::StrFormat(
      "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
      "TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t%s\n"
      "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n",
      EscapeStatusName(s.name), s.umask, state, s.tgid, s.pid, s.ppid, s.uid[0], s.uid[1],
      s.uid[2], s.uid[3], s.gid[0], s.gid[1], s.gid[2], s.gid[3], s.fd_size, groups, s.tgid,
      s.pid, s.pgid, s.sid);
  if (s.has_memory) {
    const MemoryUsage& m = s.memory;
    auto kb = [&out](const char* label, uint64_t bytes) {
      absl::StrAppendFormat(&out, "%s:\t%8u kB\n", label, bytes >> 10);
    };
    // Peak and high-water marks are not tracked: the current values.
    kb("VmPeak", m.size);
    kb("VmSize", m.size);
    kb("VmLck", 0);
    kb("VmPin", 0);
    kb("VmHWM", m.rss());
    kb("VmRSS", m.rss());
    absl::StrAppendFormat(&out, "RssAnon:\t%8u kB\nRssFile:\t%8u kB\nRssShmem:\t%8u kB\n",
                          m.rss_anon >> 10, m.rss_file >> 10, m.rss_shmem >> 10);
    kb("VmData", m.data);
    kb("VmStk", m.stack);
    kb("VmExe", m.exe);
    kb("VmLib", m.lib);
    kb("VmPTE", m.rss() / 512);  // One 8-byte entry per resident page.
    kb("VmSwap", 0);
    absl::StrAppendFormat(&out, "HugetlbPages:\t%8u kB\n", 0);
  }
  absl::StrAppendFormat(
      &out,
      "CoreDumping:\t0\nThreads:\t%d\nSigQ:\t%u/%u\nSigPnd:\t%016x\nShdPnd:\t%016x\n"
      "SigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\nCapInh:\t%016x\nCapPrm:\t%016x\n"
      "CapEff:\t%016x\nCapBnd:\t%016x\nCapAmb:\t%016x\nNoNewPrivs:\t%d\nSeccomp:\t0\n"
      "Seccomp_filters:\t0\nCpus_allowed:\t%s\nCpus_allowed_list:\t%s\n"
      "Mems_allowed:\t1\nMems_allowed_list:\t0\n"
      "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
      s.threads, s.sigq_queued, s.sigq_limit, s.pending, s.shared_pending, s.blocked, s.ignored,
      s.caught, s.cap_inh, s.cap_prm, s.cap_eff, s.cap_bnd, s.cap_amb, s.no_new_privs ? 1 : 0,
      FormatCpuMask(s.cpus), s.cpus <= 1 ? std::string("0") : absl::StrCat("0-", s.cpus - 1));
  return out;
}

std::string FormatMeminfo(const struct sysinfo& info) {
  const uint64_t unit = info.mem_unit ? info.mem_unit : 1;
  const uint64_t total = info.totalram * unit, free_bytes = info.freeram * unit;
  const uint64_t buffers = info.bufferram * unit, shared = info.sharedram * unit;
  const uint64_t swap_total = info.totalswap * unit, swap_free = info.freeswap * unit;
  std::string out;
  auto line = [&out](const char* label, uint64_t bytes) {
    // Linux's show_val_kb: the label padded to 16 with the colon, the value to 8.
    absl::StrAppendFormat(&out, "%-16s%8u kB\n", absl::StrCat(label, ":"), bytes >> 10);
  };
  line("MemTotal", total);
  line("MemFree", free_bytes);
  // sysinfo(2) does not tell the page cache apart: what is free and in
  // buffers is what is known to be available.
  line("MemAvailable", std::min(total, free_bytes + buffers));
  line("Buffers", buffers);
  line("Cached", 0);
  line("SwapCached", 0);
  line("Active", 0);
  line("Inactive", 0);
  line("Active(anon)", 0);
  line("Inactive(anon)", 0);
  line("Active(file)", 0);
  line("Inactive(file)", 0);
  line("Unevictable", 0);
  line("Mlocked", 0);
  line("SwapTotal", swap_total);
  line("SwapFree", swap_free);
  line("Dirty", 0);
  line("Writeback", 0);
  line("AnonPages", 0);
  line("Mapped", 0);
  line("Shmem", shared);
  line("KReclaimable", 0);
  line("Slab", 0);
  line("SReclaimable", 0);
  line("SUnreclaim", 0);
  line("KernelStack", 0);
  line("PageTables", 0);
  line("NFS_Unstable", 0);
  line("Bounce", 0);
  line("WritebackTmp", 0);
  line("CommitLimit", total / 2 + swap_total);
  line("Committed_AS", total - free_bytes);
  line("VmallocTotal", uint64_t{34359738367} << 10);
  line("VmallocUsed", 0);
  line("VmallocChunk", 0);
  line("AnonHugePages", 0);
  line("ShmemHugePages", 0);
  line("ShmemPmdMapped", 0);
  absl::StrAppendFormat(&out, "HugePages_Total:   %5u\nHugePages_Free:    %5u\n"
                              "HugePages_Rsvd:    %5u\nHugePages_Surp:    %5u\n", 0, 0, 0, 0);
  line("Hugepagesize", 2048 << 10);
  line("Hugetlb", 0);
  return out;
}

std::string EscapeMountPath(const std::string& path) { return OctalEscape(path, " \t\n\\"); }

std::string FormatMounts(const std::vector<ProcMount>& mounts) {
  std::string out;
  for (const ProcMount& m : mounts) {
    absl::StrAppend(&out, EscapeMountPath(m.source), " ", EscapeMountPath(m.mount_point), " ",
                    m.fstype, " ", m.options, " 0 0\n");
  }
  return out;
}

std::string FormatMountinfo(const std::vector<ProcMount>& mounts) {
  std::string out;
  for (const ProcMount& m : mounts) {
    // The per-mount options first, then the superblock's ("rw" alone here:
    // the sentry's filesystems have no options of their own).
    const std::string mount_opts = m.options;
    const std::string super_opts = m.options.rfind("ro", 0) == 0 ? "ro" : "rw";
    absl::StrAppendFormat(&out, "%d %d %u:%u %s %s %s - %s %s %s\n", m.id, m.parent_id, m.major,
                          m.minor, EscapeMountPath(m.root), EscapeMountPath(m.mount_point),
                          mount_opts, m.fstype, EscapeMountPath(m.source), super_opts);
  }
  return out;
}

}  // namespace runsc::fs
