// Reading /proc files in the compat families (proc, proc_files). A header,
// not a *_test.cc, so the family glob in CMakeLists.txt does not take it.
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace runsc::syscall_test {

// Reads all of `path`; proc files report size 0, so read until EOF.
inline bool ReadProcFile(const std::string& path, std::string* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->clear();
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out->append(buf, n);
  close(fd);
  return n == 0;
}

// The contents of `path`, or "" with a test failure that names it.
inline std::string ReadProcOrFail(const std::string& path) {
  std::string contents;
  if (!ReadProcFile(path, &contents)) ADD_FAILURE() << "read " << path << ": " << strerror(errno);
  return contents;
}

}  // namespace runsc::syscall_test
