#include "grid_checks.hpp"

#include "hemotwin/core/error.hpp"

namespace hemotwin::io::detail {

void check_grid(const GridInfo& grid, const std::string& file) {
  const int b = grid.brick_size;
  if (!(grid.dx > 0)) throw Error("grid spacing dx must be positive", file);
  if (b <= 0) throw Error("brick_size must be positive, got " + std::to_string(b), file);
  for (int a = 0; a < 3; ++a)
    if (grid.cells[a] <= 0 || grid.cells[a] % b != 0)
      throw Error("bounding extent " + std::to_string(grid.cells[a]) + " along axis " +
                      std::to_string(a) + " is not a positive multiple of the brick size " +
                      std::to_string(b),
                  file);
  const auto brick_cells = static_cast<std::size_t>(b) * b * b;
  if (grid.cell_type.size() != grid.brick_origins.size() * brick_cells)
    throw Error("cell_type holds " + std::to_string(grid.cell_type.size()) + " cells but " +
                    std::to_string(grid.brick_origins.size()) + " bricks need " +
                    std::to_string(grid.brick_origins.size() * brick_cells),
                file);
  for (std::size_t i = 0; i < grid.brick_origins.size(); ++i) {
    const auto& o = grid.brick_origins[i];
    for (int a = 0; a < 3; ++a)
      if (o[a] < 0 || o[a] % b != 0 || o[a] + b > grid.cells[a])
        throw Error("brick " + std::to_string(i) + " at (" + std::to_string(o[0]) + ", " +
                        std::to_string(o[1]) + ", " + std::to_string(o[2]) +
                        ") is outside the bounding box or not aligned to the brick size",
                    file);
  }
}

void check_snapshot(const GridInfo& grid, const FieldSnapshot& snapshot, const std::string& file) {
  const auto n = static_cast<std::size_t>(grid.stored_cells());
  if (snapshot.velocity.size() != 3 * n)
    throw Error("snapshot of step " + std::to_string(snapshot.step) + " has " +
                    std::to_string(snapshot.velocity.size()) + " velocity values, expected " +
                    std::to_string(3 * n) + " (3 per stored cell)",
                file);
  if (snapshot.pressure.size() != n)
    throw Error("snapshot of step " + std::to_string(snapshot.step) + " has " +
                    std::to_string(snapshot.pressure.size()) + " pressure values, expected " +
                    std::to_string(n) + " (1 per stored cell)",
                file);
}

}  // namespace hemotwin::io::detail
