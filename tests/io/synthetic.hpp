#pragma once
// Small synthetic grids and fields for the io tests: values are functions of the global cell
// coordinates, so a reader can check every cell without the writer's bookkeeping.
#include <unistd.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "hemotwin/core/fields.hpp"

namespace hemotwin::io::test {

/// A file's bytes.
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Fluid pattern inside the stored bricks (about three cells in four are fluid).
inline bool is_fluid(int x, int y, int z) { return (7 * x + 3 * y + 5 * z) % 4 != 0; }

inline float velocity_value(int x, int y, int z, int k, double scale) {
  return static_cast<float>(scale * (0.01 * x + 0.1 * y + 1.0 * z + 0.001 * k + 0.5));
}
inline float pressure_value(int x, int y, int z, double scale) {
  return static_cast<float>(scale * (1000.0 + x - 2.0 * y + 3.0 * z));
}

/// A grid of `cells` (multiples of `brick`) with bricks at the given brick coordinates.
inline GridInfo make_grid(std::array<int, 3> cells, const std::vector<std::array<int, 3>>& bricks,
                          int brick = 8, double dx = 0.5e-3,
                          Eigen::Vector3d origin = Eigen::Vector3d(-0.01, 0.002, 0.03)) {
  GridInfo g;
  g.dx = dx;
  g.origin = origin;
  g.cells = cells;
  g.brick_size = brick;
  for (const auto& b : bricks) {
    const std::array<std::int32_t, 3> o{b[0] * brick, b[1] * brick, b[2] * brick};
    g.brick_origins.push_back(o);
    for (int z = 0; z < brick; ++z)
      for (int y = 0; y < brick; ++y)
        for (int x = 0; x < brick; ++x) {
          const bool fluid = is_fluid(o[0] + x, o[1] + y, o[2] + z);
          g.cell_type.push_back(
              static_cast<std::uint8_t>(fluid ? CellType::Fluid : CellType::Solid));
          g.fluid_cells += fluid ? 1 : 0;
        }
  }
  return g;
}

/// Fields on `g`; stored solid cells get `solid_value` (the writers must write 0 there anyway).
inline FieldSnapshot make_snapshot(const GridInfo& g, std::int64_t step, double time, double scale,
                                   float solid_value = 99.0f) {
  FieldSnapshot s;
  s.step = step;
  s.time = time;
  const int b = g.brick_size;
  for (std::size_t i = 0; i < g.brick_origins.size(); ++i) {
    const auto& o = g.brick_origins[i];
    for (int z = 0; z < b; ++z)
      for (int y = 0; y < b; ++y)
        for (int x = 0; x < b; ++x) {
          const int gx = o[0] + x, gy = o[1] + y, gz = o[2] + z;
          const bool fluid = is_fluid(gx, gy, gz);
          for (int k = 0; k < 3; ++k)
            s.velocity.push_back(fluid ? velocity_value(gx, gy, gz, k, scale) : solid_value);
          s.pressure.push_back(fluid ? pressure_value(gx, gy, gz, scale) : solid_value);
        }
  }
  return s;
}

/// True when cell (x, y, z) lies in a stored brick of `g` and is fluid.
inline bool stored_fluid(const GridInfo& g, int x, int y, int z) {
  const int b = g.brick_size;
  for (const auto& o : g.brick_origins)
    if (x >= o[0] && x < o[0] + b && y >= o[1] && y < o[1] + b && z >= o[2] && z < o[2] + b)
      return is_fluid(x, y, z);
  return false;
}

/// A fresh, empty directory under the system temp directory, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    path_ = std::filesystem::temp_directory_path() /
            ("hemotwin-io-test-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace hemotwin::io::test
