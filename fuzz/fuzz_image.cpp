// Scans and label maps through read_image and read_labels: our header checks (image_checks.cpp),
// then ITK's readers (MetaIO, NIfTI, NRRD, GDCM). The first byte chooses the extension (low three
// bits) and the reader (bit 3: labels); the rest is the file. An image that is accepted must hold
// as many values as its grid has voxels, with a positive, finite spacing.
#include <cmath>
#include <string>

#include "harness.hpp"
#include "hemotwin/imaging/image_io.hpp"

namespace {

template <class T>
void check(const hemotwin::Volume<T>& v) {
  using hemotwin::fuzz::broken;
  const auto& g = v.grid;
  if (g.size[0] <= 0 || g.size[1] <= 0 || g.size[2] <= 0) broken("an image with no voxels");
  if (v.data.size() != std::size_t(g.voxels())) broken("voxel values and grid size disagree");
  if (!g.spacing.allFinite() || (g.spacing.array() <= 0).any())
    broken("a spacing that is not positive and finite");
  if (!g.origin.allFinite() || !g.direction.allFinite()) broken("a non-finite origin or direction");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hemotwin;
  if (size < 1) return 0;
  const char* extensions[] = {".mha", ".nii", ".nii.gz", ".nrrd", ".dcm", ".mha", ".nii", ".nrrd"};
  const bool labels = data[0] & 8;
  const auto path =
      fuzz::as_file(data + 1, size - 1, std::string("scan") + extensions[data[0] & 7]);
  try {
    if (labels)
      check(imaging::read_labels(path));
    else
      check(imaging::read_image(path));
  } catch (const Error&) {
  }
  return 0;
}
