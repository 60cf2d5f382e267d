// hemotwin.VesselModel and hemotwin.render: synthetic vessel phantoms (an exact lumen, rendered
// as a CT- or MR-like scan with its exact label map), the ground truth tests and demos use.
#include "hemotwin/imaging/phantom.hpp"

#include <cmath>

#include "bindings.hpp"

namespace hemotwin::python {

void init_phantom(py::module_& m) {
  using imaging::VesselModel;
  py::class_<VesselModel>(m, "VesselModel", R"doc(
A lumen as a union of round tubes along polylines (a radius at every point) and spheres, in mm.
distance(p) is negative inside. Ready-made: straight, curved, stenosis, aneurysm and
carotid_bifurcation; hemotwin.render() turns one into a scan and its exact label map.
)doc")
      .def(py::init<>())
      .def(
          "add_tube",
          [](VesselModel& v, const py::object& points,
             const std::vector<double>& radii) -> VesselModel& {
            return v.add_tube({to_points(points), radii});
          },
          py::arg("points"), py::arg("radii"), py::return_value_policy::reference_internal,
          "Adds a tube through `points` (n, 3) with a radius (mm) at each.")
      .def(
          "add_sphere",
          [](VesselModel& v, const py::object& centre, double radius) -> VesselModel& {
            return v.add_sphere(to_vec3(centre), radius);
          },
          py::arg("centre"), py::arg("radius"), py::return_value_policy::reference_internal)
      .def(
          "distance",
          [](const VesselModel& v, const py::object& p) { return v.distance(to_vec3(p)); },
          py::arg("point"), "Signed distance (mm), negative inside.")
      .def(
          "inside", [](const VesselModel& v, const py::object& p) { return v.inside(to_vec3(p)); },
          py::arg("point"))
      .def(
          "bounds",
          [](const VesselModel& v) {
            Vec3 lo, hi;
            v.bounds(lo, hi);
            return py::make_tuple(rows3({lo}).attr("reshape")(3), rows3({hi}).attr("reshape")(3));
          },
          "(lo, hi) corners of the lumen's bounding box, mm.")
      .def_static(
          "straight",
          [](const py::object& a, const py::object& b, double r) {
            return VesselModel::straight(to_vec3(a), to_vec3(b), r);
          },
          py::arg("a"), py::arg("b"), py::arg("radius"))
      .def_static(
          "curved",
          [](const py::object& start, const py::object& axis, const py::object& towards,
             double bend_radius, double angle, double radius) {
            return VesselModel::curved(to_vec3(start), to_vec3(axis), to_vec3(towards), bend_radius,
                                       angle, radius);
          },
          py::arg("start"), py::arg("axis"), py::arg("towards"), py::arg("bend_radius"),
          py::arg("angle"), py::arg("radius"), "A tube along a circular arc (angle in radians).")
      .def_static(
          "stenosis",
          [](const py::object& a, const py::object& b, double radius, double severity,
             double position, double length) {
            return VesselModel::stenosis(to_vec3(a), to_vec3(b), radius, severity, position,
                                         length);
          },
          py::arg("a"), py::arg("b"), py::arg("radius"), py::arg("severity"), py::arg("position"),
          py::arg("length"),
          "A straight tube with a cosine stenosis of `severity` (diameter reduction) centred "
          "`position` mm from a, `length` mm long.")
      .def_static(
          "aneurysm",
          [](const py::object& a, const py::object& b, double radius, double position,
             const py::object& side, double sac_radius, double offset) {
            return VesselModel::aneurysm(to_vec3(a), to_vec3(b), radius, position, to_vec3(side),
                                         sac_radius, offset);
          },
          py::arg("a"), py::arg("b"), py::arg("radius"), py::arg("position"), py::arg("side"),
          py::arg("sac_radius"), py::arg("offset"))
      .def_static(
          "carotid_bifurcation",
          [](const py::object& origin, double ica_stenosis) {
            return VesselModel::carotid_bifurcation(to_vec3(origin), ica_stenosis);
          },
          py::arg("origin") = py::make_tuple(0.0, 0.0, 0.0), py::arg("ica_stenosis") = 0.0,
          "A carotid-like bifurcation in the x-y plane (common 3 mm radius along +y, internal "
          "2.5 mm with an optional stenosis, external 1.8 mm).");

  py::class_<imaging::Phantom>(m, "Phantom", "A rendered scan and its exact label map.")
      .def_readonly("image", &imaging::Phantom::image)
      .def_readonly("labels", &imaging::Phantom::labels);

  m.def(
      "render",
      [](const VesselModel& model, const std::string& modality, const py::object& spacing,
         double margin, const py::object& field_of_view, double blur_sigma, double noise_sigma,
         int supersample, std::uint32_t seed, const py::object& pose) {
        imaging::RenderOptions o;
        if (!pose.is_none()) {
          const auto a =
              py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(pose);
          if (!a || a.ndim() != 2 || a.shape(0) < 3 || a.shape(1) != 4)
            throw py::value_error("pose is a 4 x 4 rigid transform (rotation and translation, mm)");
          const auto m = a.unchecked<2>();
          Eigen::Matrix4d t = Eigen::Matrix4d::Identity();
          for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 4; ++c) t(r, c) = m(r, c);
          const Eigen::Matrix3d rot = t.topLeftCorner<3, 3>();
          if (!(rot.transpose() * rot).isApprox(Eigen::Matrix3d::Identity(), 1e-9) ||
              rot.determinant() < 0)
            throw py::value_error("pose: the 3 x 3 part must be a rotation");
          o.pose = Eigen::Isometry3d(t);
        }
        if (modality == "ct" || modality == "CT")
          o.modality = imaging::Modality::CT;
        else if (modality == "mr" || modality == "MR")
          o.modality = imaging::Modality::MR;
        else
          throw py::value_error("modality must be 'ct' or 'mr', got '" + modality + "'");
        o.spacing = py::isinstance<py::float_>(spacing) || py::isinstance<py::int_>(spacing)
                        ? Vec3::Constant(spacing.cast<double>())
                        : to_vec3(spacing);
        o.margin = margin;
        if (!field_of_view.is_none()) {
          const auto box = to_points(field_of_view);
          if (box.size() != 2 || (box[1] - box[0]).minCoeff() <= 0)
            throw py::value_error(
                "field_of_view must be ((x0, y0, z0), (x1, y1, z1)) mm, x0 < x1, ...");
          o.grid.origin = box[0];
          o.grid.spacing = o.spacing;
          for (int a = 0; a < 3; ++a)
            o.grid.size[std::size_t(a)] =
                int(std::floor((box[1][a] - box[0][a]) / o.spacing[a])) + 1;
        }
        o.blur_sigma = blur_sigma;
        o.noise_sigma = noise_sigma;
        o.supersample = supersample;
        o.seed = seed;
        py::gil_scoped_release release;
        return imaging::render(model, o);
      },
      py::arg("model"), py::arg("modality") = "ct", py::arg("spacing") = 0.5,
      py::arg("margin") = 4.0, py::arg("field_of_view") = py::none(), py::arg("blur_sigma") = 0.5,
      py::arg("noise_sigma") = 20.0, py::arg("supersample") = 4, py::arg("seed") = 1,
      py::arg("pose") = py::none(),
      "Renders `model` as a CT (contrast lumen 400 HU in tissue) or MR (time of flight) scan at "
      "`spacing` mm with partial volume, blur and noise; returns a Phantom (image, labels). The "
      "scan covers the lumen's bounds plus `margin` mm, or field_of_view = (lo, hi) (mm, LPS): "
      "a box the vessel runs out of, as in a real scan, so its ends are open. pose (4 x 4): where "
      "the patient lies, as a later scan finds them (lumen, tissue and bone move together).");
}

}  // namespace hemotwin::python
