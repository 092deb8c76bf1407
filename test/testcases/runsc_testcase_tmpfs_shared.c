// A tmpfs as programs use it: a file in DIR mapped MAP_SHARED by two
// processes (what shm_open and POSIX semaphores do in /dev/shm), statfs of
// a tmpfs, and an O_TMPFILE file that linkat names later. Each check prints
// "ok: <what>" or "FAIL: <what>: <why>"; the output is the same natively and
// in a sandbox.
//
//   runsc_testcase_tmpfs_shared DIR
//       DIR is an empty, writable directory on a tmpfs. Exit 0 if all passed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994

static int failures;

static void Report(int ok, const char* what, const char* why) {
  if (ok) {
    printf("ok: %s\n", what);
  } else {
    printf("FAIL: %s: %s (errno %s)\n", what, why, strerror(errno));
    failures++;
  }
  fflush(stdout);
}

// Two processes, two opens and two mappings of one file: each sees what the
// other wrote, in memory and through read(2).
static void SharedMapping(const char* dir) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/shared", dir);
  int fd = open(path, O_CREAT | O_RDWR | O_EXCL, 0600);
  if (fd < 0 || ftruncate(fd, 4096) != 0) {
    Report(0, "shared mapping", "open or ftruncate");
    return;
  }
  volatile char* mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mem == MAP_FAILED) {
    Report(0, "shared mapping", "mmap");
    return;
  }
  int ready[2], done[2];
  if (pipe(ready) != 0 || pipe(done) != 0) {
    Report(0, "shared mapping", "pipe");
    return;
  }
  pid_t child = fork();
  if (child == 0) {
    // Its own open and mapping of the file, by name.
    int cfd = open(path, O_RDWR);
    volatile char* cmem = cfd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
    if (cmem == MAP_FAILED) _exit(2);
    char c;
    if (read(ready[0], &c, 1) != 1) _exit(3);
    if (strcmp((const char*)cmem, "from parent") != 0) _exit(4);
    strcpy((char*)cmem + 100, "from child");
    if (write(done[1], "x", 1) != 1) _exit(5);
    _exit(0);
  }
  strcpy((char*)mem, "from parent");
  if (write(ready[1], "x", 1) != 1) Report(0, "shared mapping", "write to child");
  char c;
  if (read(done[0], &c, 1) != 1) c = 0;
  int status = 0;
  waitpid(child, &status, 0);
  Report(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child sees the parent's write",
         "child failed");
  Report(c == 'x' && strcmp((const char*)mem + 100, "from child") == 0,
         "the parent sees the child's write", "not in the mapping");
  char buf[16] = {0};
  Report(pread(fd, buf, 10, 100) == 10 && memcmp(buf, "from child", 10) == 0,
         "read(2) sees what the mapping holds", "pread differs");
  struct stat st;
  Report(fstat(fd, &st) == 0 && st.st_size == 4096, "the file keeps its size", "fstat");
  munmap((void*)mem, 4096);
  close(fd);
  Report(unlink(path) == 0, "unlink of the shared file", "unlink");
}

static void Statfs(const char* dir) {
  struct statfs sfs;
  Report(statfs(dir, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC, "statfs says tmpfs", "f_type");
}

static void Tmpfile(const char* dir) {
  int fd = open(dir, O_TMPFILE | O_RDWR, 0600);
  if (fd < 0) {
    Report(0, "O_TMPFILE", "open");
    return;
  }
  Report(write(fd, "anonymous", 9) == 9, "O_TMPFILE file takes writes", "write");
  struct stat st;
  Report(fstat(fd, &st) == 0 && st.st_nlink == 0, "O_TMPFILE file has no link", "nlink");
  char path[4096];
  snprintf(path, sizeof(path), "%s/named", dir);
  Report(linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) == 0, "linkat names the O_TMPFILE file",
         "linkat");
  char buf[16] = {0};
  int named = open(path, O_RDONLY);
  Report(named >= 0 && read(named, buf, sizeof(buf)) == 9 && strcmp(buf, "anonymous") == 0,
         "the named file has the contents", "read");
  close(named);
  close(fd);
  unlink(path);
  int excl = open(dir, O_TMPFILE | O_RDWR | O_EXCL, 0600);
  Report(excl >= 0 && linkat(excl, "", AT_FDCWD, path, AT_EMPTY_PATH) != 0 && errno == ENOENT,
         "an O_EXCL tmpfile cannot be linked", "linkat did not fail with ENOENT");
  close(excl);
  errno = 0;
  Report(open(dir, O_TMPFILE | O_RDONLY, 0600) < 0 && errno == EINVAL,
         "O_TMPFILE needs write access", "no EINVAL");
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  SharedMapping(argv[1]);
  Statfs(argv[1]);
  Tmpfile(argv[1]);
  return failures == 0 ? 0 : 1;
}
