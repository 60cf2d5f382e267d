// Checks of a scan or label-map file before ITK reads it. ITK 5.2 reads a truncated MetaImage,
// NIfTI (.nii, .nii.gz) or NRRD file without an exception: MetaIO prints "ideal = ... : actual =
// ..." to stderr, the others nothing, and the image comes back with whatever the buffer held.
// Here each format's header is read (the few fields that give the data's size and where it is)
// and the data is measured: its bytes on disk, or, compressed, the bytes it inflates to (zlib,
// up to the size the header announces, through a 256 KiB buffer).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace hemotwin::imaging {

/// Throws Error, naming the file, when its data is shorter (or a compressed stream ends sooner)
/// than its header announces; nothing for formats it does not know.
void check_image_file(const std::string& path);

/// Throws Error when an image of `voxels` voxels of `bytes_per_voxel` each would not fit in this
/// machine's memory (with the float copy the pipeline makes), before anything is allocated.
void check_image_size(const std::string& path, std::uint64_t voxels, std::uint64_t bytes_per_voxel,
                      const std::string& layout);

/// Throws Error when an uncompressed single-file image (or its .img beside it) holds fewer than
/// `bytes` bytes, the voxels its reader's view of the header announces (`layout`).
void check_voxels_held(const std::string& path, std::uint64_t bytes, const std::string& layout);

/// Throws Error, naming `where` and `which` ("file 6 of 57 (by name)": never the file's name in
/// a folder, which is often its SOP Instance UID), when a DICOM Part 10 file's elements, walked
/// by their lengths before GDCM reads it (dicom_checks.cpp), hold a meta element without a value
/// representation (GDCM aborts on an assert) or a length that runs past the file's end (GDCM
/// allocates it, up to 4 GiB, and reads pixel data cut short with a silenced warning), and the
/// functional groups of an enhanced file GDCM asserts on. A file without the "DICM" prefix is
/// refused when GDCM would read it as a bare data set or ACR-NEMA (its guesses there assert),
/// alone whatever it holds; in a folder, others (a text file) are left to GDCM's scan, which
/// skips them. Deflated and big-endian files are left to GDCM.
void check_dicom_file(const std::string& file, const std::string& where, const std::string& which,
                      bool alone);

/// Throws Error, naming the folder, when the slices of a DICOM series (their Image Position
/// (Patient), in slice order, and the slices' normal) are not evenly spaced: a slice missing or
/// unreadable (GDCM leaves a damaged file out of the series), two at one position (several
/// phases or acquisitions under one series UID), or an uneven acquisition. ITK would stack them
/// at the first gap's spacing and misplace every slice after it.
void check_slice_positions(const std::string& folder,
                           const std::vector<std::array<double, 3>>& positions,
                           const std::array<double, 3>& normal);

}  // namespace hemotwin::imaging
