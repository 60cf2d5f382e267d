// Surfaces through read_surface: our binary/ASCII STL checks, then VTK's readers (STL, VTP, legacy
// VTK, OBJ, PLY) and our cleaning. The first byte chooses the extension; the rest is the file. A
// surface that is accepted must have finite points and triangles that index them.
#include <cmath>
#include <string>

#include "harness.hpp"
#include "hemotwin/geometry/surface.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hemotwin;
  if (size < 1) return 0;
  const char* extensions[] = {".stl", ".vtp", ".vtk", ".obj", ".ply"};
  const auto path =
      fuzz::as_file(data + 1, size - 1, std::string("wall") + extensions[data[0] % 5]);
  try {
    const auto mesh = read_surface(path);
    const auto n = std::int64_t(mesh.points.size());
    for (const auto& p : mesh.points)
      if (!p.allFinite()) fuzz::broken("a surface point is not finite");
    for (const auto& t : mesh.triangles)
      for (int k = 0; k < 3; ++k)
        if (t[k] < 0 || t[k] >= n) fuzz::broken("a triangle indexes no point");
  } catch (const Error&) {
  }
  return 0;
}
