// hemotwin.Grid: the lattice layout (GridInfo) and the scatter of brick-ordered values onto the
// dense [z][y][x] arrays that results.h5 stores (docs/file-format.md), in physical coordinates.
#include "grid.hpp"

#include "bindings.hpp"
#include "hemotwin/core/config.hpp"

namespace hemotwin::python {

py::array dense(const GridInfo& g, const void* values, bool is_float, int components, double fill) {
  const py::ssize_t nx = g.cells[0], ny = g.cells[1], nz = g.cells[2];
  std::vector<py::ssize_t> shape{nz, ny, nx};
  if (components > 1) shape.push_back(components);
  py::array_t<double> out(shape);
  double* o = out.mutable_data();
  std::fill(o, o + out.size(), fill);
  const int B = g.brick_size, B3 = B * B * B;
  for (std::size_t b = 0; b < g.brick_origins.size(); ++b) {
    const auto& origin = g.brick_origins[b];
    for (int z = 0; z < B; ++z)
      for (int y = 0; y < B; ++y)
        for (int x = 0; x < B; ++x) {
          const std::int64_t cell = std::int64_t(b) * B3 + x + B * (y + B * z);
          if (g.cell_type[std::size_t(cell)] != std::uint8_t(CellType::Fluid)) continue;
          const py::ssize_t X = origin[0] + x, Y = origin[1] + y, Z = origin[2] + z;
          if (X >= nx || Y >= ny || Z >= nz) continue;
          const py::ssize_t at = ((Z * ny + Y) * nx + X) * components;
          for (int c = 0; c < components; ++c) {
            const std::int64_t i = cell * components + c;
            o[at + c] = is_float ? double(static_cast<const float*>(values)[i])
                                 : static_cast<const double*>(values)[i];
          }
        }
  }
  return out;
}

void init_grid(py::module_& m) {
  py::class_<GridInfo, std::shared_ptr<GridInfo>>(m, "Grid", R"doc(
The lattice: a box of cells = (nx, ny, nz) cells of edge dx (m), cell (i, j, k) centred at
origin + dx * (i, j, k). Only bricks of brick_size^3 cells that touch the fluid are stored; the
simulation's fields come brick by brick ("stored cells", brick b's cell (x, y, z) at
b * brick_size^3 + x + brick_size * (y + brick_size * z)). to_dense() scatters such values onto
the whole box as [z][y][x] arrays, the layout of results.h5.
)doc")
      .def_readonly("dx", &GridInfo::dx, "Cell edge, m.")
      .def_property_readonly(
          "origin",
          [](const GridInfo& g) {
            return py::make_tuple(g.origin.x(), g.origin.y(), g.origin.z());
          },
          "Centre of cell (0, 0, 0), m (x, y, z).")
      .def_property_readonly(
          "cells",
          [](const GridInfo& g) { return py::make_tuple(g.cells[0], g.cells[1], g.cells[2]); },
          "(nx, ny, nz) of the bounding box.")
      .def_property_readonly(
          "shape",
          [](const GridInfo& g) { return py::make_tuple(g.cells[2], g.cells[1], g.cells[0]); },
          "(nz, ny, nx): the shape of the dense arrays.")
      .def_readonly("brick_size", &GridInfo::brick_size)
      .def_readonly("fluid_cells", &GridInfo::fluid_cells)
      .def_property_readonly("stored_cells", &GridInfo::stored_cells)
      .def_property_readonly("bricks", [](const GridInfo& g) { return g.brick_origins.size(); })
      .def_property_readonly(
          "brick_origins",
          [](py::object self) {
            auto& g = self.cast<GridInfo&>();
            return view(g.brick_origins.empty() ? nullptr : g.brick_origins[0].data(),
                        {py::ssize_t(g.brick_origins.size()), 3}, {3, 1}, self, false);
          },
          "First cell (x, y, z) of each stored brick: (bricks, 3) int32, read-only, no copy.")
      .def_property_readonly(
          "cell_type",
          [](py::object self) {
            auto& g = self.cast<GridInfo&>();
            return view(g.cell_type.data(), {py::ssize_t(g.cell_type.size())}, {1}, self, false);
          },
          "1 for fluid, 0 for solid, per stored cell (uint8, read-only, no copy).")
      .def(
          "axes",
          [](const GridInfo& g) {
            py::tuple t(3);
            for (int a = 0; a < 3; ++a) {
              py::array_t<double> v(g.cells[std::size_t(a)]);
              for (int i = 0; i < g.cells[std::size_t(a)]; ++i)
                v.mutable_data()[i] = g.origin[a] + g.dx * i;
              t[std::size_t(a)] = v;
            }
            return t;
          },
          "The cell-centre coordinates along x, y and z (m): three 1-D arrays.")
      .def(
          "cell_centres",
          [](const GridInfo& g) {
            const int B = g.brick_size, B3 = B * B * B;
            py::array_t<double> out({py::ssize_t(g.stored_cells()), py::ssize_t(3)});
            double* o = out.mutable_data();
            for (std::size_t b = 0; b < g.brick_origins.size(); ++b)
              for (int c = 0; c < B3; ++c) {
                const int xyz[3] = {c % B, (c / B) % B, c / (B * B)};
                for (int a = 0; a < 3; ++a)
                  o[(std::int64_t(b) * B3 + c) * 3 + a] =
                      g.origin[a] + g.dx * (g.brick_origins[b][std::size_t(a)] + xyz[a]);
              }
            return out;
          },
          "Centre (m) of every stored cell: (stored_cells, 3).")
      .def(
          "fluid_mask",
          [](const GridInfo& g) {
            std::vector<double> ones(g.cell_type.size(), 1.0);
            py::array a = dense(g, ones.data(), false, 1, 0.0);
            return a.attr("astype")("bool");
          },
          "Dense [z][y][x] boolean mask of the fluid cells.")
      .def(
          "to_dense",
          [](const GridInfo& g, py::array values, double fill) {
            const std::int64_t n = g.stored_cells();
            if (values.ndim() < 1 || values.shape(0) != n)
              throw py::value_error(
                  "expected one value (or row) per stored cell: " + std::to_string(n) +
                  " rows, got " + std::to_string(values.ndim() ? values.shape(0) : 0));
            const int comps = values.ndim() == 1 ? 1 : int(values.size() / n);
            auto v = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(values);
            return dense(g, v.data(), false, comps, fill);
          },
          py::arg("values"), py::arg("fill") = std::numeric_limits<double>::quiet_NaN(),
          "Scatters per-stored-cell values (n,) or (n, k) onto the box: [z][y][x] or "
          "[z][y][x][k], `fill` (NaN) outside the fluid.")
      .def("__repr__", [](const GridInfo& g) {
        return "<hemotwin.Grid " + std::to_string(g.cells[0]) + " x " + std::to_string(g.cells[1]) +
               " x " + std::to_string(g.cells[2]) + " cells of " + std::to_string(g.dx * 1e3) +
               " mm, " + std::to_string(g.fluid_cells) + " fluid>";
      });
}

}  // namespace hemotwin::python
