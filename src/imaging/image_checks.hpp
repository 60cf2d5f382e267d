// Checks of a scan or label-map file before ITK reads it. ITK 5.2 reads a truncated MetaImage,
// NIfTI (.nii, .nii.gz) or NRRD file without an exception: MetaIO prints "ideal = ... : actual =
// ..." to stderr, the others nothing, and the image comes back with whatever the buffer held.
// Here each format's header is read (the few fields that give the data's size and where it is)
// and the data is measured: its bytes on disk, or, compressed, the bytes it inflates to (zlib,
// the whole stream, never more than a 256 KiB buffer in memory).
#pragma once

#include <cstdint>
#include <string>

namespace hemotwin::imaging {

/// What a header says the data is: `bytes` of voxels in `data_file` from `offset`, raw or
/// compressed. `known` is false for what is not checked (another format, a detached list of
/// slices, bzip2 or text encodings): ITK's own checks are then all there is.
struct DataExtent {
  bool known = false;
  std::string data_file;
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;  ///< uncompressed
  enum class Packing { Raw, Zlib, Gzip } packing = Packing::Raw;
  std::uint64_t compressed_bytes = 0;  ///< MetaImage's CompressedDataSize; 0 where not given
  std::string layout;                  ///< "92 x 32 x 32 of MET_UCHAR" for messages
};

/// The extent a MetaImage (.mha, .mhd), NIfTI-1/2 (.nii, .nii.gz) or NRRD (.nrrd, .nhdr) header
/// announces; throws Error (naming the file and the field) for a header that cannot be right.
DataExtent announced_extent(const std::string& path);

/// Throws Error, naming the file, when its data is shorter (or a compressed stream ends sooner)
/// than its header announces; nothing for formats it does not know.
void check_image_file(const std::string& path);

/// Throws Error when an image of `voxels` voxels of `bytes_per_voxel` each would not fit in this
/// machine's memory (with the float copy the pipeline makes), before anything is allocated.
void check_image_size(const std::string& path, std::uint64_t voxels, std::uint64_t bytes_per_voxel,
                      const std::string& layout);

}  // namespace hemotwin::imaging
