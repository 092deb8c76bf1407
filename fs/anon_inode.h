// The stat of a file with no inode of its own (epoll, eventfd, signalfd,
// timerfd): Linux backs them with one anonymous inode, whose mode has no
// file type bits.
#ifndef RUNSC_FS_ANON_INODE_H_
#define RUNSC_FS_ANON_INODE_H_

#include <sys/stat.h>

#include <cstdint>

namespace runsc::fs {

// `file` only makes st_ino differ between files, as their addresses do.
inline struct stat AnonymousInodeStat(const void* file) {
  struct stat st {};
  st.st_mode = 0600;
  st.st_nlink = 1;
  st.st_blksize = 4096;
  st.st_ino = reinterpret_cast<uintptr_t>(file) & 0xffffff;
  return st;
}

}  // namespace runsc::fs

#endif  // RUNSC_FS_ANON_INODE_H_
