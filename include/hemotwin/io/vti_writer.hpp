#pragma once
// VTK XML image data (.vti) through VTK: one dense image over the bounding box, for tools that read
// VTK but not XDMF. Point arrays velocity (m/s, 3 components), pressure (Pa) and fluid_mask (0/1);
// binary appended data, zlib compressed, 64-bit headers. Dense: memory and file grow with the
// bounding box, so it is written for the final state only (Case::output.vti).
#include <filesystem>

#include "hemotwin/core/fields.hpp"

namespace hemotwin::io {

/// Writes `snapshot` on `grid` to `path`. The image's origin is the centre of cell (0, 0, 0) and
/// its spacing dx (m); solid and unstored cells hold 0. The snapshot time is stored as the field
/// array TimeValue (ParaView shows it as the time). Throws hemotwin::Error naming `path`.
void write_vti(const std::filesystem::path& path, const GridInfo& grid,
               const FieldSnapshot& snapshot);

}  // namespace hemotwin::io
