#include "sentry/vdso/vdso.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "base/errno_status.h"

// Generated from the built vDSO by embed_vdso.cmake.
extern "C" const unsigned char runsc_vdso_image[];
extern "C" const unsigned long runsc_vdso_image_size;

namespace runsc::sentry {

absl::Span<const uint8_t> Vdso::Image() {
  return absl::MakeConstSpan(runsc_vdso_image, runsc_vdso_image_size);
}

absl::StatusOr<std::unique_ptr<Vdso>> Vdso::Create(const VvarClock::Options& options) {
  absl::Span<const uint8_t> image = Image();
  if (image.size() < sizeof(Elf64_Ehdr) || std::memcmp(image.data(), ELFMAG, SELFMAG) != 0) {
    return absl::InternalError("the embedded vDSO is not an ELF image");
  }
  UniqueFd fd(::memfd_create("runsc-vdso", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd.valid()) return HostError("memfd_create for the vDSO");
  const uint64_t image_bytes = PageRoundUp(image.size());
  if (::ftruncate(fd.get(), static_cast<off_t>(kPageSize + image_bytes)) != 0) {
    return HostError("ftruncate of the vDSO memfd");
  }
  if (::pwrite(fd.get(), image.data(), image.size(), kPageSize) !=
      static_cast<ssize_t>(image.size())) {
    return HostError("writing the vDSO image");
  }
  // The one writable mapping of the vvar page, made before the seal.
  void* vvar = ::mmap(nullptr, kPageSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (vvar == MAP_FAILED) return HostError("mmap of the vvar page");
  if (::fcntl(fd.get(), F_ADD_SEALS,
              F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) != 0) {
    absl::Status s = HostError("sealing the vDSO memfd");
    ::munmap(vvar, kPageSize);
    return s;
  }
  std::unique_ptr<Vdso> vdso(new Vdso(std::move(fd), static_cast<runsc_vvar*>(vvar), image_bytes));
  vdso->clock_ = std::make_unique<VvarClock>(vdso->vvar_, options);
  return vdso;
}

Vdso::Vdso(UniqueFd memfd, runsc_vvar* vvar, uint64_t image_bytes)
    : memfd_(std::move(memfd)), vvar_(vvar), image_bytes_(image_bytes) {}

Vdso::~Vdso() {
  clock_.reset();  // Stops the thread that writes the page before it goes.
  ::munmap(vvar_, kPageSize);
}

absl::StatusOr<uint64_t> Vdso::MapInto(MemoryManager& mm) const {
  // One reservation for both, so the vvar page is exactly the page below
  // the image, where vdso.lds put runsc_vvar_page.
  absl::StatusOr<uint64_t> vvar = mm.Map(0, kPageSize + image_bytes_, PROT_READ, MAP_SHARED,
                                         memfd_.get(), 0, "[vvar]");
  if (!vvar.ok()) return vvar.status();
  const uint64_t text = *vvar + kPageSize;
  absl::StatusOr<uint64_t> mapped = mm.Map(text, image_bytes_, PROT_READ | PROT_EXEC,
                                           MAP_PRIVATE | MAP_FIXED, memfd_.get(), kPageSize,
                                           "[vdso]");
  if (!mapped.ok()) return mapped.status();
  return text;
}

}  // namespace runsc::sentry
