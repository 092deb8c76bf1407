#!/bin/sh
# Exercises Debian's own programs (dash, bash, coreutils, findutils, grep,
# perl, util-linux mount) and prints only what must be the same natively and
# in the sandbox: no dates, inode numbers, pids, addresses or sizes of file
# systems. programs_test.cc runs it both ways and compares the outputs.
#   debian_programs.sh          as root, in /scratch (made afresh)
#   debian_programs.sh user     as a non-root user: permission checks
#   debian_programs.sh ro       as root on a read-only rootfs: EROFS
# Each section starts with "== name" so that a difference is easy to place.

section() { echo "== $1"; }

if [ "$1" = user ]; then
  section id
  id -u; id -g
  section permissions
  cd /tmp
  # Root's 0700 directory, 0600 file and a 0755 directory not writable by us.
  ls /root-only 2>&1
  cat /root-only-file 2>&1
  touch /usr/bin/not-mine 2>&1
  mkdir /usr/not-mine 2>&1
  rm /usr/bin/ls 2>&1
  chmod 777 /usr/bin 2>&1
  echo "exit $?"
  # What is ours we may do anything with.
  mkdir -p /tmp/mine/sub && echo mine > /tmp/mine/f && chmod 600 /tmp/mine/f &&
    stat -c '%A %U %n' /tmp/mine/f && rm -r /tmp/mine && echo removed
  perl -e 'open(my $f, "<", "/root-only-file") or print "perl: $!\n"'
  if [ -x /usr/bin/setfattr ]; then
    # user.* of root's 0644 file: readable, not writable by us.
    getfattr -n user.owner --only-values /etc/passwd 2>&1; echo
    setfattr -n user.owner -v me /etc/passwd 2>&1
  fi
  exit 0
fi

if [ "$1" = ro ]; then
  section ro
  head -n 1 /etc/passwd
  touch /new 2>&1; echo "exit $?"
  mkdir /newdir 2>&1
  echo x 2>&1 > /etc/passwd
  rm /etc/passwd 2>&1
  cp /etc/passwd /etc/copy 2>&1
  ln -s x /link 2>&1
  chmod 600 /etc/passwd 2>&1
  touch -d '2001-02-03 04:05:06' /etc/passwd 2>&1
  perl -e 'open(my $f, ">", "/p") or print "perl open: $!\n";
    rename("/etc/passwd", "/etc/x") or print "perl rename: $!\n";
    mkdir("/pd") or print "perl mkdir: $!\n"'
  find / -maxdepth 1 -newer /etc/passwd -name new
  if [ -x /usr/bin/setfattr ]; then
    getfattr -n user.owner --only-values /etc/passwd 2>&1; echo
    setfattr -n user.owner -v ro /etc/passwd 2>&1
    setfattr -x user.owner /etc/passwd 2>&1
  fi
  exit 0
fi

rm -rf /scratch && mkdir /scratch && cd /scratch || exit 1

section sh
i=0; while [ $i -lt 3 ]; do i=$((i + 1)); done; echo "loop $i"
f() { echo "fn $# $*"; return 3; }; f a b; echo "status $?"
case foo.txt in *.txt) echo "case txt";; *) echo "case other";; esac
x=$(echo nested $(echo inner)); echo "$x"
cat <<END
heredoc ${x#nested }
END
sh -c 'exit 7'; echo "child exit $?"
(exit 5); echo "subshell $?"

section bash
if [ -x /bin/bash ]; then
  bash -c 'a=(x y z); echo "${#a[@]} ${a[1]}"; [[ abc == a* ]] && echo glob; echo $((2**10)); printf "%05d\n" 42'
else
  echo "no bash"
fi

section mkdir
mkdir -p a/b/c && mkdir -p a/b/c && echo "mkdir -p twice ok"
mkdir a 2>&1; echo "exit $?"
mkdir -m 700 private && stat -c '%A %n' private

section touch
touch -d '2001-02-03 04:05:06' dated && stat -c '%Y %n' dated
touch -d @1000000000 epoch && stat -c '%Y %n' epoch
touch -r dated ref && stat -c '%Y %n' ref

section write-and-ls
printf 'hello\n' > a/hello.txt
printf '0123456789' > a/b/ten.txt
head -c 5000 /dev/zero > a/b/c/zeros.bin
ls -la a | tail -n +2 | tr -s ' ' | cut -d' ' -f1,2,3,4,9 | sort -k5
ls -l a/hello.txt a/b/ten.txt a/b/c/zeros.bin | tr -s ' ' | cut -d' ' -f1-5,9

section chmod
chmod 640 a/hello.txt && stat -c '%a %A %n' a/hello.txt
chmod u+x,g-r,o+w a/hello.txt && stat -c '%a %A %n' a/hello.txt
chmod -R go-rwx a/b && stat -c '%a %n' a/b a/b/ten.txt a/b/c
chmod 644 nonexistent 2>&1; echo "exit $?"

section stat
stat -c '%A %s %h %U %G %F %n' a/hello.txt a/b/ten.txt a/b/c/zeros.bin
stat -c '%F %n' a /dev/null

section cp
# Fixed times: cp -a must keep them, and the output must not hold today's date.
touch -d '2002-03-04 05:06:07' a/hello.txt a/b/ten.txt
cp -a a copy && stat -c '%a %s %Y %n' copy/hello.txt copy/b/ten.txt dated
cp -a dated dated-copy && stat -c '%Y %n' dated-copy
cp a/hello.txt a/b/ && cat a/b/hello.txt
cp nonexistent x 2>&1; echo "exit $?"

section mv
mv copy/hello.txt moved.txt && cat moved.txt && ls copy | sort
mv copy/b renamed-dir && ls renamed-dir | sort
mv nonexistent y 2>&1; echo "exit $?"

section rm
mkdir -p doomed/x/y && echo z > doomed/x/y/z && ln -s /etc doomed/etc-link
rm -r doomed && echo "rm -r done" && ls -d doomed 2>&1
rm renamed-dir 2>&1; echo "exit $?"
rm nonexistent 2>&1; echo "exit $?"
rm -f nonexistent; echo "rm -f exit $?"
# rm -r must not follow a link out: /etc is untouched.
ls /etc/passwd

section ln
ln -s a/hello.txt sym && readlink sym && cat sym
ln a/b/ten.txt hard && stat -c '%h %n' hard a/b/ten.txt
ls -l sym | tr -s ' ' | cut -d' ' -f1,9-
ln -s nowhere dangling && cat dangling 2>&1; echo "exit $?"
# Links that point out of the rootfs must stay in it: /etc/shadow here is the
# rootfs's own (the test wrote it), not the host's.
ln -s /etc/shadow abs-shadow && cat abs-shadow
ln -s ../../../../../../../../etc/shadow rel-shadow && cat rel-shadow
cd a/b && cat ../../../../../../../etc/shadow && cd /scratch

section find
find a -type f | sort
find a -type d | sort
find a -name '*.txt' -size -1k | sort
find a -newer dated -type f | sort
find . -maxdepth 1 -type l | sort
find a -mindepth 2 -perm -u+r -type f | sort

section du
du --apparent-size -b a/hello.txt a/b/ten.txt a/b/c/zeros.bin
du --apparent-size -b -c a/b/ten.txt a/b/c/zeros.bin | tail -n 1

section df
df / > df.out 2>&1; echo "exit $?"
head -n 1 df.out | tr -s ' '
echo "lines $(wc -l < df.out)"
tail -n 1 df.out | grep -q ' /$' && echo "df names /"

section sort-env-cat
printf 'b\nc\na\nb\n' | sort
printf 'b\nc\na\nb\n' | sort -ru
printf '10\n9\n100\n' | sort -n
env -i FOO=bar BAZ=qux env | sort
cat a/hello.txt a/b/ten.txt; echo
cat nonexistent 2>&1; echo "exit $?"
grep -c o a/hello.txt; grep -l 0123 a/b/*.txt; grep -q nope a/hello.txt; echo "grep $?"

section tail
seq 1 20 > numbers
tail -n 3 numbers
tail -c 6 numbers
# A pipe: GNU tail follows nothing on a pipe, it reads to its end and exits.
{ echo p1; echo p2; } | tail -f
# A pipe whose writer stays until tail is seen blocked on it: tail still
# runs (it waits for the end of the pipe, its output held in stdio's
# buffer), then prints both lines once the writer is gone.
{ echo w1; echo w2; while [ ! -e writer.done ]; do sleep 0.05; done; } | tail -f > pipe.out &
tailpid=$!
sleep 0.2; kill -0 $tailpid && echo "tail waits on the pipe"
touch writer.done; wait $tailpid; echo "pipe tail exit $?"
cat pipe.out
# A growing file: tail -f prints what a writer appends, until it is killed.
: > growing
tail -f growing > tail.out 2>&1 &
tailpid=$!
for line in one two three; do echo $line >> growing; sleep 0.1; done
n=0; while [ "$(wc -l < tail.out)" -lt 3 ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n+1)); done
# Wait for the death before `wait`: bash prints "Terminated" only for a job
# it reaped on its own (SIGCHLD) before the `wait`, which natively tail's
# quick death makes the usual case and in the sandbox a race.
kill $tailpid; while kill -0 $tailpid 2>/dev/null; do sleep 0.05; done
wait $tailpid; echo "tail killed $?"
cat tail.out

section perl
perl -e 'print "perl ", $] >= 5 ? "runs" : "old", "\n"'
perl -e 'open(my $f, ">", "p1") or die "open: $!"; print $f "perl wrote\n"; close $f;
  rename("p1", "p2") or die "rename: $!"; print -e "p1" ? "p1 still\n" : "p1 gone\n";
  open(my $g, "<", "p2") or die; print scalar <$g>; print -s "p2", " bytes\n";
  rename("nonexistent", "x") or print "rename: $!\n";
  mkdir("pdir", 0750) or die; printf "%o\n", (stat "pdir")[2] & 07777;
  unlink("p2") or die; print -e "p2" ? "p2 still\n" : "p2 unlinked\n";'
perl -MFcntl=:flock -e 'open(my $f, ">>", "lockf") or die "open: $!";
  flock($f, LOCK_EX | LOCK_NB) or die "flock: $!"; print "locked\n";
  my $pid = fork; if ($pid == 0) { open(my $g, ">>", "lockf") or die;
    if (flock($g, LOCK_EX | LOCK_NB)) { print "child locked too\n" }
    else { print "child: ", ($!{EWOULDBLOCK} ? "EWOULDBLOCK" : "$!"), "\n" }
    flock($g, LOCK_SH | LOCK_NB) or print "child shared refused\n"; exit 0 }
  waitpid($pid, 0); flock($f, LOCK_UN) or die; print "unlocked\n";
  my $pid2 = fork; if ($pid2 == 0) { open(my $g, ">>", "lockf") or die;
    print flock($g, LOCK_EX | LOCK_NB) ? "child locked after unlock\n" : "child: $!\n"; exit 0 }
  waitpid($pid2, 0);'
printf 'mapped line one\nmapped line two\n' > mapped
perl -e 'open(my $f, "<:mmap", "mapped") or die "mmap: $!"; my @l = <$f>; print scalar(@l), " lines: $l[1]";
  print join(",", PerlIO::get_layers($f)), "\n"'
perl -e 'opendir(my $d, "a") or die; print join(" ", sort grep { !/^\./ } readdir $d), "\n"'
perl -e 'symlink("a/hello.txt", "plink") or die; print readlink("plink"), "\n"; print -l "plink" ? "is link\n" : "no link\n"'

section xattr
# setfattr/getfattr (Debian's attr) when the host has them: user.* on files
# and directories of the rootfs, kept by cp -a, refused on a symlink.
if [ -x /usr/bin/setfattr ]; then
  echo attrs > xa
  setfattr -n user.colour -v blue xa && setfattr -n user.shape -v round xa
  getfattr -n user.colour --only-values xa; echo
  getfattr -d xa
  getfattr -n user.none xa 2>&1
  setfattr -n user.colour -v green xa && getfattr -n user.colour --only-values xa; echo
  setfattr -x user.colour xa && getfattr -d xa
  setfattr -x user.colour xa 2>&1
  cp -a xa xa-copy && getfattr -d xa-copy
  mkdir xd && setfattr -n user.d -v dir xd && getfattr -d xd
  ln -s xa xl && setfattr -h -n user.l -v 1 xl 2>&1
  getfattr -h -d xl
  ls -l xa | cut -d' ' -f1
else
  echo "no setfattr"
fi

section proc
grep -q 'ld-linux-x86-64' /proc/self/maps && echo "maps: loader"
grep -q '/libc.so.6' /proc/self/maps && echo "maps: libc"
grep -q '\[stack\]' /proc/self/maps && echo "maps: stack"
cat /proc/self/maps | grep -q ' /usr/bin/cat$' && echo "maps: cat itself"
grep -q '^[^ ]* / ' /proc/mounts && echo "mounts: /"
grep -q '^[^ ]* /proc proc ' /proc/mounts && echo "mounts: /proc"
if [ -x /usr/bin/mount ]; then
  mount > mount.out 2>&1; echo "mount exit $?"
  grep -q ' on / type ' mount.out && echo "mount: /"
  grep -q ' on /proc type proc ' mount.out && echo "mount: /proc"
fi

section written
mkdir -p /programs-out && echo "written by debian_programs.sh" > /programs-out/written && echo done
