// The XDMF sidecar of results.h5 (declared in results_writer.hpp): ParaView's index of the
// snapshots' datasets.
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

#include "grid_checks.hpp"
#include "hemotwin/core/error.hpp"
#include "hemotwin/io/markup.hpp"
#include "hemotwin/io/results_writer.hpp"

namespace hemotwin::io {

namespace fs = std::filesystem;

namespace {

/// The shortest text that reads back as the same double.
std::string num(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

void write_xdmf(const fs::path& path, const std::string& hdf5_reference, const GridInfo& grid,
                const std::vector<WrittenSnapshot>& snapshots) {
  detail::check_grid(grid, path.string());
  const std::string h5 = escape_markup(hdf5_reference);
  const int nx = grid.cells[0], ny = grid.cells[1], nz = grid.cells[2];
  const std::string dims = std::to_string(nz) + " " + std::to_string(ny) + " " + std::to_string(nx);

  std::ostringstream x;
  x << "<?xml version=\"1.0\" ?>\n"
       "<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
       "<!-- hemotwin results: open this file in ParaView (Xdmf3ReaderS or XDMF Reader). "
       "Data lie in "
    << h5
    << "; arrays are point data on the lattice sites, indexed [z][y][x]. "
       "See docs/file-format.md. -->\n"
       "<Xdmf Version=\"3.0\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
       "  <Domain>\n";

  auto grid_body = [&](const std::string& indent) {
    x << indent << "<Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"" << dims << "\"/>\n"
      << indent << "<Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
      << indent
      << "  <DataItem Name=\"Origin\" Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
         "Format=\"XML\">"
      << num(grid.origin.z()) << " " << num(grid.origin.y()) << " " << num(grid.origin.x())
      << "</DataItem>\n"
      << indent
      << "  <DataItem Name=\"Spacing\" Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
         "Format=\"XML\">"
      << num(grid.dx) << " " << num(grid.dx) << " " << num(grid.dx) << "</DataItem>\n"
      << indent << "</Geometry>\n"
      << indent << "<Attribute Name=\"fluid_mask\" AttributeType=\"Scalar\" Center=\"Node\">\n"
      << indent << "  <DataItem Dimensions=\"" << dims
      << "\" NumberType=\"UChar\" Precision=\"1\" Format=\"HDF\">" << h5
      << ":/geometry/fluid_mask</DataItem>\n"
      << indent << "</Attribute>\n";
  };

  if (snapshots.empty()) {
    x << "    <Grid Name=\"geometry\" GridType=\"Uniform\">\n";
    grid_body("      ");
    x << "    </Grid>\n";
  } else {
    x << "    <Grid Name=\"fields\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
    for (const auto& s : snapshots) {
      const std::string name = s.group.substr(s.group.find_last_of('/') + 1);
      x << "      <Grid Name=\"" << escape_markup(name) << "\" GridType=\"Uniform\">\n"
        << "        <Time Value=\"" << num(s.time) << "\"/>\n";
      grid_body("        ");
      x << "        <Attribute Name=\"velocity\" AttributeType=\"Vector\" Center=\"Node\">\n"
        << "          <DataItem Dimensions=\"" << dims
        << " 3\" NumberType=\"Float\" Precision=\"4\" Format=\"HDF\">" << h5 << ":"
        << escape_markup(s.group) << "/velocity</DataItem>\n"
        << "        </Attribute>\n";
      for (const char* scalar : {"pressure", "q_criterion", "lambda2"}) {
        if (!s.vortex && scalar != std::string("pressure")) continue;
        x << "        <Attribute Name=\"" << scalar
          << "\" AttributeType=\"Scalar\" Center=\"Node\">\n"
          << "          <DataItem Dimensions=\"" << dims
          << "\" NumberType=\"Float\" Precision=\"4\" Format=\"HDF\">" << h5 << ":"
          << escape_markup(s.group) << "/" << scalar << "</DataItem>\n"
          << "        </Attribute>\n";
      }
      x << "      </Grid>\n";
    }
    x << "    </Grid>\n";
  }
  x << "  </Domain>\n</Xdmf>\n";

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot create the XDMF file", path.string());
  const std::string text = x.str();
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw Error("cannot write the XDMF file", path.string());
}

}  // namespace hemotwin::io
