// Writes a small results.h5 + results.xdmf (and geometry.xdmf, as without snapshots) with known
// values into the directory given as the argument, and expected.json describing what a reader must
// find there (checked by check_xdmf_paraview.py under pvpython and by check_h5py.py).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hemotwin/io/results_writer.hpp"
#include "synthetic.hpp"

int main(int argc, char** argv) {
  using namespace hemotwin;
  using namespace hemotwin::io;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    // Distinct extents along x, y and z, so that an axis-order mistake shows.
    const GridInfo g = test::make_grid(
        {40, 24, 16}, {{0, 0, 0}, {1, 0, 0}, {4, 2, 1}, {2, 1, 0}, {0, 2, 1}, {3, 1, 1}});
    const int nx = g.cells[0], ny = g.cells[1], nz = g.cells[2];

    ResultsMetadata meta;
    meta.provenance = Provenance::current("cpu", "xdmf sample");
    meta.case_name = "xdmf-sample";
    meta.case_text = "[case]\nname = \"xdmf-sample\"\n";
    meta.dt = 1e-4;
    IoletInfo in{"inlet0", IoletKind::VelocityInlet, {0, 0.008, 0.034}, {-1, 0, 0}, 2e-5};
    ResultsWriter writer(dir / "results.h5", g, {in}, meta);

    nlohmann::json expected;
    expected["cells"] = {nx, ny, nz};
    expected["origin"] = {g.origin.x(), g.origin.y(), g.origin.z()};
    expected["dx"] = g.dx;
    expected["points"] = static_cast<long>(nx) * ny * nz;
    expected["fluid_cells"] = g.fluid_cells;
    expected["snapshots"] = nlohmann::json::array();
    const std::vector<std::pair<std::int64_t, double>> steps = {{10, 1.0}, {20, 2.5}};
    for (const auto& [step, scale] : steps) {
      const double time = step * meta.dt;
      Diagnostics d;
      d.step = step;
      d.time = time;
      d.mass = 1000;
      d.iolet_flow = {1e-6 * scale};
      d.iolet_pressure = {100 * scale};
      writer.append_diagnostics(d);
      writer.write_fields(test::make_snapshot(g, step, time, scale));

      std::array<float, 3> vmax{0, 0, 0};
      float pmax = 0, pmin = 0;
      for (int z = 0; z < nz; ++z)
        for (int y = 0; y < ny; ++y)
          for (int x = 0; x < nx; ++x) {
            if (!test::stored_fluid(g, x, y, z)) continue;
            for (int k = 0; k < 3; ++k)
              vmax[k] = std::max(vmax[k], test::velocity_value(x, y, z, k, scale));
            pmax = std::max(pmax, test::pressure_value(x, y, z, scale));
            pmin = std::min(pmin, test::pressure_value(x, y, z, scale));
          }
      // A probe in the brick at (32, 16, 8).
      int px = 33, py = 17, pz = 9;
      while (!test::is_fluid(px, py, pz)) ++px;
      nlohmann::json s;
      s["step"] = step;
      s["time"] = time;
      s["velocity_max"] = {vmax[0], vmax[1], vmax[2]};
      s["pressure_max"] = pmax;
      s["pressure_min"] = pmin;
      s["probe"] = {
          {"ijk", {px, py, pz}},
          {"point_id", px + nx * (py + ny * pz)},
          {"velocity",
           {test::velocity_value(px, py, pz, 0, scale), test::velocity_value(px, py, pz, 1, scale),
            test::velocity_value(px, py, pz, 2, scale)}},
          {"pressure", test::pressure_value(px, py, pz, scale)}};
      expected["snapshots"].push_back(s);
    }
    writer.close();
    write_xdmf(dir / "results.xdmf", "results.h5", g, writer.snapshots());
    write_xdmf(dir / "geometry.xdmf", "results.h5", g, {});  // as a run without field output
    std::ofstream(dir / "expected.json") << expected.dump(2) << "\n";
    std::printf("wrote %s/results.h5, results.xdmf, expected.json\n", dir.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
