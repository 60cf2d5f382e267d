// hemotwin.register_scans and hemotwin.resample_into: serial scans of one patient in one frame
// (hemotwin::imaging, ITK v4 registration with Mattes mutual information);
// hemotwin.measure_aneurysm, hemotwin.sac_region and hemotwin.parent_across_sac: the aneurysm's
// geometry.
#include "hemotwin/imaging/registration.hpp"

#include "bindings.hpp"
#include "hemotwin/imaging/intervention.hpp"
#include "hemotwin/imaging/morphology.hpp"

namespace hemotwin::python {
namespace {

py::array_t<double> matrix4(const Eigen::Affine3d& t) {
  py::array_t<double> a({4, 4});
  auto m = a.mutable_unchecked<2>();
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) m(r, c) = t.matrix()(r, c);
  return a;
}

Eigen::Affine3d affine_of(const py::object& o) {
  const auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(o);
  if (!a || a.ndim() != 2 || (a.shape(0) != 4 && a.shape(0) != 3) || a.shape(1) != 4)
    throw py::value_error("a transform is a 4 x 4 (or 3 x 4) matrix of p -> A p + t, mm");
  const auto m = a.unchecked<2>();
  Eigen::Affine3d t = Eigen::Affine3d::Identity();
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) t.matrix()(r, c) = m(r, c);
  return t;
}

}  // namespace

void init_registration(py::module_& m) {
  using imaging::Registration;
  py::class_<Registration>(m, "Registration", R"doc(
The transform that maps a physical point (mm, LPS) of the fixed scan onto the same anatomy in the
moving one: fixed_to_moving (4 x 4), the rigid stage's `rigid`, the final Mattes mutual
information `metric` (negative; lower is better), the iterations and the optimizer's stop
condition.
)doc")
      .def_property_readonly("fixed_to_moving",
                             [](const Registration& r) { return matrix4(r.fixed_to_moving); })
      .def_property_readonly("rigid", [](const Registration& r) { return matrix4(r.rigid); })
      .def_readonly("metric", &Registration::metric)
      .def_readonly("iterations", &Registration::iterations)
      .def_readonly("stop", &Registration::stop)
      .def_property_readonly("rotation_degrees", &Registration::rotation_degrees)
      .def("__repr__", [](const Registration& r) {
        return "<hemotwin.Registration " + std::to_string(r.rotation_degrees()) + " deg, " +
               std::to_string(r.iterations) + " iterations>";
      });

  m.def(
      "register_scans",
      [](const Image& fixed, const Image& moving, const std::string& transform, bool moments,
         int levels, int bins, double sampling, std::uint32_t seed, int iterations) {
        imaging::RegistrationOptions o;
        if (transform == "rigid")
          o.kind = imaging::RegistrationKind::Rigid;
        else if (transform == "affine")
          o.kind = imaging::RegistrationKind::Affine;
        else
          throw py::value_error("transform must be 'rigid' or 'affine', got '" + transform + "'");
        o.moments = moments;
        o.levels = levels;
        o.bins = bins;
        o.sampling = sampling;
        o.seed = seed;
        o.iterations = iterations;
        py::gil_scoped_release release;
        return imaging::register_scans(fixed, moving, o);
      },
      py::arg("fixed"), py::arg("moving"), py::arg("transform") = "rigid",
      py::arg("moments") = false, py::arg("levels") = 3, py::arg("bins") = 50,
      py::arg("sampling") = 0.2, py::arg("seed") = 1, py::arg("iterations") = 300, R"doc(
Registers `moving` to `fixed` (ITK's ImageRegistrationMethodv4, Mattes mutual information,
regular-step gradient descent over a shrink/smooth pyramid of `levels`): a VersorRigid3D
transform, then with transform="affine" an affine one started from it. moments=True starts from
the intensities' centres of mass (scans far apart); the default starts from the identity.
)doc");

  m.def(
      "resample_into",
      [](const py::object& moving, const py::object& reference, const py::object& transform) {
        const Eigen::Affine3d t = affine_of(transform);
        const Grid g = py::isinstance<LabelMap>(reference) ? reference.cast<const LabelMap&>().grid
                                                           : reference.cast<const Image&>().grid;
        if (py::isinstance<LabelMap>(moving)) {
          const LabelMap& l = moving.cast<const LabelMap&>();
          py::gil_scoped_release release;
          return py::cast(imaging::resample(l, g, t));
        }
        const Image& img = moving.cast<const Image&>();
        Image out;
        {
          py::gil_scoped_release release;
          out = imaging::resample(img, g, t);
        }
        return py::cast(std::move(out));
      },
      py::arg("moving"), py::arg("reference"), py::arg("fixed_to_moving"), R"doc(
`moving` (an Image: linear; a LabelMap: nearest neighbour) on the grid of `reference`, through
the 4 x 4 transform from the reference's points to the moving scan's (a Registration's
fixed_to_moving).
)doc");

  using imaging::AneurysmGeometry;
  py::class_<AneurysmGeometry>(m, "AneurysmGeometry", R"doc(
An aneurysm's geometry: the sac's volume (voxels; and from the scan's intensities when a scan was
given), its largest diameter, the neck's width, the dome's height above the neck plane, aspect
ratio (height / neck) and size ratio (max diameter / the parent's diameter); mm and mm^3.
)doc")
      .def_readonly("volume", &AneurysmGeometry::volume)
      .def_readonly("scan_volume", &AneurysmGeometry::scan_volume)
      .def_readonly("max_diameter", &AneurysmGeometry::max_diameter)
      .def_readonly("neck_diameter", &AneurysmGeometry::neck_diameter)
      .def_readonly("height", &AneurysmGeometry::height)
      .def_readonly("aspect_ratio", &AneurysmGeometry::aspect_ratio)
      .def_readonly("parent_radius", &AneurysmGeometry::parent_radius)
      .def_readonly("size_ratio", &AneurysmGeometry::size_ratio)
      .def_property_readonly("centroid",
                             [](const AneurysmGeometry& a) { return tuple3(a.centroid); })
      .def_property_readonly("neck_centre",
                             [](const AneurysmGeometry& a) { return tuple3(a.neck_centre); })
      .def_property_readonly("neck_normal",
                             [](const AneurysmGeometry& a) { return tuple3(a.neck_normal); })
      .def_readonly("voxels", &AneurysmGeometry::voxels)
      .def_readonly("neck_voxels", &AneurysmGeometry::neck_voxels);

  m.def(
      "measure_aneurysm",
      [](const LabelMap& labels, const imaging::Centerline& parent, const py::object& centre,
         double radius, const Image* scan) {
        const Vec3 c = to_vec3(centre);
        py::gil_scoped_release release;
        return imaging::measure_aneurysm(labels, parent, c, radius, scan);
      },
      py::arg("labels"), py::arg("parent"), py::arg("sac_centre"), py::arg("sac_radius"),
      py::arg("scan") = nullptr, R"doc(
Measures the aneurysm whose sac (hemotwin.sac_region) lies within the ball (sac_centre,
sac_radius) (mm) beside the parent vessel's centerline. With the scan the labels came from, also
the sac's volume from its intensities (partial-volume volumetry, free of the threshold's bias).
)doc");
  m.def(
      "sac_region",
      [](const LabelMap& labels, const imaging::Centerline& parent, const py::object& centre,
         double radius) {
        const Vec3 c = to_vec3(centre);
        py::gil_scoped_release release;
        return imaging::sac_region(labels, parent, c, radius);
      },
      py::arg("labels"), py::arg("parent"), py::arg("sac_centre"), py::arg("sac_radius"),
      "The sac as a LabelMap (1 in the sac): the lumen in the ball beyond the parent vessel.");
  m.def(
      "parent_across_sac",
      [](const imaging::Centerline& parent, const py::object& centre, double radius) {
        return imaging::parent_across_sac(parent, to_vec3(centre), radius);
      },
      py::arg("parent"), py::arg("sac_centre"), py::arg("sac_radius"),
      "The parent's centerline with the stretch the sac draws aside bridged by a cubic curve.");
}

}  // namespace hemotwin::python
