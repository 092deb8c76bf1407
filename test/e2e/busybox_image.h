// Container images for the client tests, made offline at test time from the
// host's busybox-static (the rootfs TestBundle makes: /bin/busybox, one
// symlink per applet, /etc/passwd, /etc/group, empty /tmp /proc /dev).
#ifndef RUNSC_TEST_E2E_BUSYBOX_IMAGE_H_
#define RUNSC_TEST_E2E_BUSYBOX_IMAGE_H_

#include <string>

#include "absl/status/statusor.h"

namespace runsc::testing {

// The tag every client test gives its image.
inline constexpr char kBusyboxImage[] = "localhost/runsc-e2e/busybox:latest";

// Writes `dir`/busybox-rootfs.tar, a tar of the rootfs, for `podman import`
// and `docker import`. Returns its path.
[[nodiscard]] absl::StatusOr<std::string> WriteBusyboxRootfsTar(const std::string& dir);

// Writes `dir`/busybox-image.tar: a docker-archive (manifest.json, the image
// config with the layer's sha256 diff id, and the rootfs tar as its one
// layer) tagged kBusyboxImage, for `ctr images import`. Returns its path.
[[nodiscard]] absl::StatusOr<std::string> WriteBusyboxDockerArchive(const std::string& dir);

}  // namespace runsc::testing

#endif  // RUNSC_TEST_E2E_BUSYBOX_IMAGE_H_
