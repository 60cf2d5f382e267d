// Writes the fuzzers' seed corpora and the case dictionary from hemotwin's own writers (nothing
// from a patient): `fuzz_make_seeds DIR` fills DIR/<harness>/ and DIR/case.dict. The seeds in
// fuzz/seeds/ were made so (scripts/fuzz --make-seeds); they are kept small, since libFuzzer's
// mutations of a large file mostly change bulk data no parser looks at twice.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>

#include "../tests/imaging/dicom_writer.hpp"
#include "hemotwin/core/simulation.hpp"
#include "hemotwin/geometry/surface.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/io/case_keys.hpp"
#include "hemotwin/io/checkpoint.hpp"
#include "hemotwin/io/run.hpp"

namespace fs = std::filesystem;
using namespace hemotwin;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

/// A seed for a harness whose first byte chooses the extension or the reader.
void seed(const fs::path& p, char selector, const std::string& bytes) {
  spit(p, std::string(1, selector) + bytes);
}

// A closed octahedron, the smallest closed surface with a well-defined inside.
TriangleMesh octahedron() {
  TriangleMesh m;
  m.points = {Vec3(1, 0, 0),  Vec3(-1, 0, 0), Vec3(0, 1, 0),
              Vec3(0, -1, 0), Vec3(0, 0, 1),  Vec3(0, 0, -1)};
  m.triangles = {{0, 2, 4}, {2, 1, 4}, {1, 3, 4}, {3, 0, 4},
                 {2, 0, 5}, {1, 2, 5}, {3, 1, 5}, {0, 3, 5}};
  for (auto& p : m.points) p *= 1e-3;  // metres, as read_surface returns them
  return m;
}

void case_seeds(const fs::path& dir) {
  // The bundled cases are seeds too (scripts/fuzz passes examples/cases and tests/cli/cases);
  // this one adds overrides and every key written out.
  Case c = io::parse_case(slurp(fs::path(HEMOTWIN_SOURCE_DIR) / "tests/cli/cases/tiny.toml"),
                          "tiny.toml");
  spit(dir / "case/every_key.toml", io::to_toml(c));
  spit(dir / "case/overrides.toml",
       "#set inlet.mean_velocity_m_s=0.2\n#set geometry.shape=\"stenosis\"\n"
       "#set outlets.out.model=\"windkessel\"\n" +
           slurp(fs::path(HEMOTWIN_SOURCE_DIR) / "tests/cli/cases/tiny.toml"));
  // The dictionary: every key path and each of its parts, so mutations spell real keys.
  std::set<std::string> words;
  for (const auto& k : io::case_keys()) {
    std::string path(k.path);
    words.insert(path);
    for (std::size_t at = 0; at <= path.size();) {
      const std::size_t dot = std::min(path.find('.', at), path.size());
      words.insert(path.substr(at, dot - at));
      at = dot + 1;
    }
  }
  std::ofstream dict(dir / "case.dict");
  for (const auto& w : words)
    if (!w.empty() && w != "*") dict << '"' << w << "\"\n";
  for (const char* w : {"[", "]", "[[", "]]", "=", "\"", "#set ", "true", "false", "inf", "nan",
                        "1e308", "-0.0", "0x7fffffff", "1979-05-27T07:32:00Z"})
    dict << "\"" << (std::string(w) == "\"" ? "\\\"" : w) << "\"\n";
}

void waveform_seeds(const fs::path& dir) {
  seed(dir / "waveform/sine.csv", 0,
       "# time_s, flow_ml_s\n0, 5\n0.2, 6.5\n0.4, 5\n0.6, 3.5\n0.8, 5\n");
  seed(dir / "waveform/tabs.txt", 1, "0\t1e-6\n0.25\t2e-6\n0.5\t1.5e-6\n0.8\t1e-6\n");
  seed(dir / "waveform/spaces.dat", 2, "0.0  4\n\n0.5  7   \n1.0  4\n");
}

void surface_seeds(const fs::path& dir, const fs::path& scratch) {
  const TriangleMesh m = octahedron();
  write_surface(m, scratch / "o.stl");
  seed(dir / "surface/binary.stl", 0, slurp(scratch / "o.stl"));
  write_surface(m, scratch / "o.vtp");
  seed(dir / "surface/appended.vtp", 1, slurp(scratch / "o.vtp"));
  std::string stl = "solid octahedron\n", vtk, obj, ply;
  vtk = "# vtk DataFile Version 3.0\noctahedron\nASCII\nDATASET POLYDATA\nPOINTS 6 double\n";
  ply =
      "ply\nformat ascii 1.0\nelement vertex 6\nproperty float x\nproperty float y\n"
      "property float z\nelement face 8\nproperty list uchar int vertex_indices\nend_header\n";
  for (const auto& p : m.points) {
    const std::string xyz = std::to_string(p.x() * 1e3) + " " + std::to_string(p.y() * 1e3) + " " +
                            std::to_string(p.z() * 1e3);
    vtk += xyz + "\n";
    obj += "v " + xyz + "\n";
    ply += xyz + "\n";
  }
  vtk += "POLYGONS 8 32\n";
  for (const auto& t : m.triangles) {
    const Vec3 n = (m.points[t[1]] - m.points[t[0]]).cross(m.points[t[2]] - m.points[t[0]]);
    stl += "facet normal " + std::to_string(n.x()) + " " + std::to_string(n.y()) + " " +
           std::to_string(n.z()) + "\n outer loop\n";
    for (int k = 0; k < 3; ++k) {
      const Vec3 p = m.points[t[k]] * 1e3;
      stl += "  vertex " + std::to_string(p.x()) + " " + std::to_string(p.y()) + " " +
             std::to_string(p.z()) + "\n";
    }
    stl += " endloop\nendfacet\n";
    const std::string idx =
        std::to_string(t[0]) + " " + std::to_string(t[1]) + " " + std::to_string(t[2]);
    vtk += "3 " + idx + "\n";
    ply += "3 " + idx + "\n";
    obj += "f " + std::to_string(t[0] + 1) + " " + std::to_string(t[1] + 1) + " " +
           std::to_string(t[2] + 1) + "\n";
  }
  stl += "endsolid octahedron\n";
  seed(dir / "surface/ascii.stl", 0, stl);
  seed(dir / "surface/legacy.vtk", 2, vtk);
  seed(dir / "surface/mesh.obj", 3, obj);
  seed(dir / "surface/mesh.ply", 4, ply);
}

void image_seeds(const fs::path& dir, const fs::path& scratch) {
  Grid g;
  g.size = {5, 4, 3};
  g.origin = Vec3(-10, 2.5, 30);
  g.spacing = Vec3(0.8, 0.8, 1.25);
  Image image(g);
  LabelMap labels(g);
  for (int k = 0; k < 3; ++k)
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 5; ++i) {
        image.at(i, j, k) = float(i + 10 * j + 100 * k - 200);
        labels.at(i, j, k) = (i + j + k) % 3 == 0;
      }
  // The selector's low three bits name the extension (fuzz_image.cpp), bit 3 the label reader.
  const std::pair<const char*, char> formats[] = {
      {".mha", 0}, {".nii", 1}, {".nii.gz", 2}, {".nrrd", 3}};
  for (const auto& [ext, sel] : formats) {
    imaging::write_image(image, scratch / (std::string("scan") + ext));
    seed(dir / (std::string("image/scan") + ext), sel,
         slurp(scratch / (std::string("scan") + ext)));
    imaging::write_labels(labels, scratch / (std::string("labels") + ext));
    seed(dir / (std::string("image/labels") + ext), char(sel | 8),
         slurp(scratch / (std::string("labels") + ext)));
  }
  // MetaImage and NRRD uncompressed, whose headers are text with the data after them.
  const Image small = [&] {
    Grid s = g;
    s.size = {2, 2, 2};
    return Image(s, 7.5f);
  }();
  imaging::write_image(small, scratch / "raw.mha");
  std::string raw = slurp(scratch / "raw.mha");
  seed(dir / "image/compressed_small.mha", 5, raw);
  testing::SeriesSpec spec{};
  for (int a = 0; a < 3; ++a) {
    spec.size[a] = g.size[a];
    spec.origin[a] = g.origin[a];
    spec.spacing[a] = g.spacing[a];
    for (int b = 0; b < 3; ++b) spec.direction[3 * a + b] = a == b;
  }
  spec.series_uid = "1.2.826.0.1.3680043.2.1125.1.9.1";
  testing::write_ct_multiframe((scratch / "ct.dcm").string(), spec);
  seed(dir / "image/multiframe.dcm", 4, slurp(scratch / "ct.dcm"));
}

void run_seeds(const fs::path& dir, const fs::path& scratch) {
  // The tiny pipe, coarser and shorter: a real results file and a real checkpoint, small.
  const std::string text = slurp(fs::path(HEMOTWIN_SOURCE_DIR) / "tests/cli/cases/tiny.toml");
  const Case c = io::parse_case(text, "tiny.toml",
                                {"geometry.cells_across_diameter=4", "geometry.length_mm=3",
                                 "time.duration_s=0.002", "output.check_every=25"});
  const auto r = io::run_case(c, scratch / "run");
  spit(dir / "results/tiny.h5", slurp(r.hdf5));
  auto sim = Simulation::create(c);
  sim->advance(10);
  io::write_checkpoint(scratch / "checkpoint.h5", io::make_checkpoint(*sim, text));
  spit(dir / "checkpoint/tiny.h5", slurp(scratch / "checkpoint.h5"));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_seeds DIR (writes DIR/<harness>/ seeds and DIR/case.dict)\n";
    return 2;
  }
  try {
    const fs::path dir = argv[1];
    const fs::path scratch =
        fs::temp_directory_path() / ("hemotwin-seeds-" + std::to_string(getpid()));
    fs::create_directories(scratch);
    case_seeds(dir);
    waveform_seeds(dir);
    surface_seeds(dir, scratch);
    image_seeds(dir, scratch);
    run_seeds(dir, scratch);
    fs::remove_all(scratch);
  } catch (const std::exception& e) {
    std::cerr << "fuzz_make_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
