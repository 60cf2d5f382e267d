// hemotwin.Image and hemotwin.LabelMap: scans and label maps in LPS millimetres (voxel values and
// the grid that places them; nothing else of the file's header, so nothing identifying). .array is
// a NumPy view of the voxels without a copy, indexed [k][j][i] (i fastest in memory, as ITK).
#include <Eigen/Core>

#include "bindings.hpp"
#include "hemotwin/imaging/image_io.hpp"
#include "hemotwin/imaging/segment.hpp"

namespace hemotwin::python {

namespace {

py::array_t<double> matrix(const Eigen::Matrix3d& m) {
  py::array_t<double> a({3, 3});
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) a.mutable_at(r, c) = m(r, c);
  return a;
}

template <class T>
Volume<T> from_array(const py::array& values, const py::object& spacing, const py::object& origin,
                     const py::object& direction) {
  auto a = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(values);
  if (!a || a.ndim() != 3) throw py::value_error("expected a 3-D array indexed [k][j][i]");
  Grid g;
  g.size = {int(a.shape(2)), int(a.shape(1)), int(a.shape(0))};
  if (!spacing.is_none()) g.spacing = to_vec3(spacing);
  if (!origin.is_none()) g.origin = to_vec3(origin);
  if (!direction.is_none()) {
    const auto d =
        py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(direction);
    if (!d || d.ndim() != 2 || d.shape(0) != 3 || d.shape(1) != 3)
      throw py::value_error("direction must be a 3 x 3 matrix (columns: the index axes in LPS)");
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) g.direction(r, c) = d.at(r, c);
  }
  if ((g.spacing.array() <= 0).any()) throw py::value_error("spacing must be > 0 (mm)");
  Volume<T> v(g);
  std::copy(a.data(), a.data() + a.size(), v.data.begin());
  return v;
}

template <class T>
void bind_volume(py::module_& m, const char* name, const char* doc) {
  using V = Volume<T>;
  py::class_<V>(m, name, doc)
      .def(py::init(&from_array<T>), py::arg("array"), py::arg("spacing") = py::none(),
           py::arg("origin") = py::none(), py::arg("direction") = py::none(),
           "From a [k][j][i] array (copied), spacing (mm), origin (mm, LPS, centre of voxel 0) "
           "and direction (3 x 3, columns the index axes).")
      .def_property_readonly(
          "array",
          [](py::object self) {
            auto& v = self.cast<V&>();
            const auto& s = v.grid.size;
            return view(v.data.data(), {s[2], s[1], s[0]}, {py::ssize_t(s[0]) * s[1], s[0], 1},
                        self);
          },
          "The voxels, [k][j][i], writeable, without a copy.")
      .def_property_readonly(
          "size",
          [](const V& v) { return py::make_tuple(v.grid.size[0], v.grid.size[1], v.grid.size[2]); },
          "(ni, nj, nk)")
      .def_property_readonly(
          "spacing", [](const V& v) { return tuple3(v.grid.spacing); }, "mm")
      .def_property_readonly(
          "origin", [](const V& v) { return tuple3(v.grid.origin); },
          "mm, LPS, centre of voxel (0, 0, 0)")
      .def_property_readonly("direction", [](const V& v) { return matrix(v.grid.direction); })
      .def(
          "point",
          [](const V& v, const py::object& index) {
            return rows3({v.grid.point(to_vec3(index))}).attr("reshape")(3);
          },
          py::arg("index"), "Physical point (mm, LPS) of a (continuous) index (i, j, k).")
      .def(
          "index",
          [](const V& v, const py::object& point) {
            return rows3({v.grid.index(to_vec3(point))}).attr("reshape")(3);
          },
          py::arg("point"), "Continuous index (i, j, k) of a physical point (mm, LPS).")
      .def("__repr__", [name](const V& v) {
        const auto& g = v.grid;
        return std::string("<hemotwin.") + name + " " + std::to_string(g.size[0]) + " x " +
               std::to_string(g.size[1]) + " x " + std::to_string(g.size[2]) + ", spacing " +
               std::to_string(g.spacing[0]) + " x " + std::to_string(g.spacing[1]) + " x " +
               std::to_string(g.spacing[2]) + " mm>";
      });
}

}  // namespace

void init_image(py::module_& m) {
  bind_volume<float>(m, "Image", "A scan: float intensities (CT: HU) on a grid in LPS mm.");
  bind_volume<std::uint8_t>(m, "LabelMap",
                            "Labels (uint8: 0 background, 1 lumen) on a grid in LPS mm.");

  py::class_<imaging::DicomSeries>(m, "DicomSeries",
                                   "A DICOM series in a folder (nothing identifying).")
      .def_readonly("index", &imaging::DicomSeries::index)
      .def_readonly("files", &imaging::DicomSeries::files)
      .def_property_readonly("size",
                             [](const imaging::DicomSeries& s) {
                               return py::make_tuple(s.size[0], s.size[1], s.size[2]);
                             })
      .def_property_readonly("spacing",
                             [](const imaging::DicomSeries& s) { return tuple3(s.spacing); });

  m.def(
      "read_image",
      [](const std::filesystem::path& path, int series) {
        py::gil_scoped_release release;
        return imaging::read_image(path, {series});
      },
      py::arg("path"), py::arg("series") = -1,
      "Reads a scan: a DICOM folder (series: which one, when it holds several) or file, NIfTI, "
      "NRRD or MetaImage, as float intensities in LPS mm. Only voxels and geometry are kept.");
  m.def("read_labels", &imaging::read_labels, py::arg("path"), "Reads a label map.");
  m.def("write_image", &imaging::write_image, py::arg("image"), py::arg("path"),
        "Writes by extension (.nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd), atomically.");
  m.def("write_labels", &imaging::write_labels, py::arg("labels"), py::arg("path"));
  m.def("list_dicom_series", &imaging::list_dicom_series, py::arg("folder"));
  m.def(
      "resample",
      [](const Image& image, const py::object& spacing) {
        const Vec3 s = py::isinstance<py::float_>(spacing) || py::isinstance<py::int_>(spacing)
                           ? Vec3::Constant(spacing.cast<double>())
                           : to_vec3(spacing);
        py::gil_scoped_release release;
        return imaging::resample(image, s);
      },
      py::arg("image"), py::arg("spacing"), "Linear resampling to `spacing` mm, same extent.");
  m.def(
      "crop",
      [](const Image& image, const py::object& lo, const py::object& hi) {
        return imaging::crop(image, {to_vec3(lo), to_vec3(hi)});
      },
      py::arg("image"), py::arg("lo"), py::arg("hi"),
      "The voxels whose centres lie in the box [lo, hi] (mm, LPS).");
}

}  // namespace hemotwin::python
