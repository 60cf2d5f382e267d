#pragma once
// Consistency checks shared by the writers (private to hemotwin::io).
#include <string>

#include "hemotwin/core/fields.hpp"

namespace hemotwin::io::detail {

/// Throws hemotwin::Error naming `file` when the grid is inconsistent: dx <= 0, a bounding extent
/// that is not a positive multiple of the brick size, a brick outside the box or not aligned to the
/// brick size, or a cell_type array whose length is not bricks * brick_size^3.
void check_grid(const GridInfo& grid, const std::string& file);

/// Throws hemotwin::Error naming `file` when the snapshot's arrays do not match the grid.
void check_snapshot(const GridInfo& grid, const FieldSnapshot& snapshot, const std::string& file);

}  // namespace hemotwin::io::detail
