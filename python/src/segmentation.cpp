// hemotwin.segment (threshold + connected component, vesselness, level set) and the comparisons
// of label maps, through hemotwin::imaging (ITK).
#include "bindings.hpp"
#include "hemotwin/imaging/segment.hpp"

namespace hemotwin::python {

namespace {

std::optional<double> opt(const py::object& o) {
  if (o.is_none()) return std::nullopt;
  return o.cast<double>();
}

}  // namespace

void init_segmentation(py::module_& m) {
  using namespace imaging;
  py::class_<Segmentation>(m, "Segmentation", "A segmented lumen and the intensity range used.")
      .def_readonly("labels", &Segmentation::labels)
      .def_readonly("lower", &Segmentation::lower)
      .def_readonly("upper", &Segmentation::upper)
      .def_readonly("voxels", &Segmentation::voxels)
      .def_readonly("volume_mm3", &Segmentation::volume_mm3)
      .def("__repr__", [](const Segmentation& s) {
        return "<hemotwin.Segmentation " + std::to_string(s.voxels) + " voxels, " +
               std::to_string(s.volume_mm3) + " mm^3, range [" + std::to_string(s.lower) + ", " +
               std::to_string(s.upper) + "]>";
      });

  m.def(
      "segment",
      [](const Image& image, const py::object& seeds, const py::object& lower,
         const py::object& upper, int smoothing_iterations, bool vesselness,
         double vesselness_level, const py::object& sigma_mm, bool level_set) {
        SegmentationSteps steps;
        steps.threshold.seeds = to_points(seeds);
        steps.threshold.lower = opt(lower);
        steps.threshold.upper = opt(upper);
        steps.threshold.smoothing_iterations = smoothing_iterations;
        steps.vesselness = vesselness;
        steps.vesselness_level = vesselness_level;
        if (!sigma_mm.is_none()) {
          const auto s = sigma_mm.cast<std::pair<double, double>>();
          steps.vesselness_options.sigma_min_mm = s.first;
          steps.vesselness_options.sigma_max_mm = s.second;
        }
        steps.level_set = level_set;
        py::gil_scoped_release release;
        return segment_lumen(image, steps);
      },
      py::arg("image"), py::arg("seeds"), py::arg("lower") = py::none(),
      py::arg("upper") = py::none(), py::arg("smoothing_iterations") = 5,
      py::arg("vesselness") = false, py::arg("vesselness_level") = 0.05,
      py::arg("sigma_mm") = py::none(), py::arg("level_set") = false, R"doc(
Segments the lumen connected to `seeds` (points in mm, LPS): voxels in [lower, upper] (unset:
from the seeds' intensity and Otsu's threshold) after curvature-flow smoothing, holes filled;
vesselness=True grows on multiscale Frangi vesselness (sigma_mm = (min, max)) instead, for thin
vessels; level_set=True refines the result with a threshold level set. Raises hemotwin.Error
saying what was found when a seed lies outside the image or the range.
)doc");
  m.def("largest_component", &largest_component, py::arg("labels"));
  m.def("dice", &dice, py::arg("a"), py::arg("b"), "Dice overlap of two label maps on one grid.");
  m.def("mean_surface_distance", &mean_surface_distance, py::arg("a"), py::arg("b"),
        "Mean symmetric boundary distance of two label maps on one grid, mm.");
}

}  // namespace hemotwin::python
