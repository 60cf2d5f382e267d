// hemotwin.render_surface, hemotwin.track_wall and hemotwin.write_surface_series: a chamber's
// wall through a cine scan (hemotwin::imaging::track_wall, ITK's diffeomorphic demons), and the
// surface series a chamber case runs with.
#include "hemotwin/imaging/wall_motion.hpp"

#include "bindings.hpp"
#include "hemotwin/geometry/surface_series.hpp"
#include "hemotwin/geometry/surface_shape.hpp"
#include "hemotwin/imaging/phantom.hpp"

namespace hemotwin::python {
namespace {

// A WallMotion property: one registration field per frame.
template <class T>
auto per_frame(T imaging::DeformableRegistration::*field) {
  return [field](const imaging::WallMotion& w) {
    std::vector<T> v;
    for (const auto& r : w.registrations) v.push_back(r.*field);
    return v;
  };
}

}  // namespace

void init_wall_motion(py::module_& m) {
  m.def(
      "render_surface",
      [](const TriangleMesh& mesh, double spacing, double margin, const Image* like,
         double blur_sigma, double noise_sigma, int supersample, std::uint32_t seed) {
        imaging::RenderOptions o;
        o.spacing = Vec3::Constant(spacing);
        o.margin = margin;
        if (like) o.grid = like->grid;
        o.blur_sigma = blur_sigma;
        o.noise_sigma = noise_sigma;
        o.supersample = supersample;
        o.seed = seed;
        py::gil_scoped_release release;
        return imaging::render(SurfaceShape(mesh), o);
      },
      py::arg("mesh"), py::arg("spacing") = 1.0, py::arg("margin") = 8.0, py::arg("like") = nullptr,
      py::arg("blur_sigma") = 0.5, py::arg("noise_sigma") = 20.0, py::arg("supersample") = 4,
      py::arg("seed") = 1, R"doc(
The lumen a closed surface encloses (a chamber's cavity at one phase) rendered as a CT: partial
volume where the wall crosses a voxel, uniform tissue around it, blur and noise. like=an Image
renders on its grid (the frames of one cine scan share one); else the surface's bounds plus
`margin` mm at `spacing` mm.
)doc");

  py::class_<imaging::WallMotion>(m, "WallMotion", R"doc(
The wall through a cine scan: `phases`, the wall's vertices at each frame ((n, 3) arrays, mm; the
reference frame's the wall's own), and per frame the registration's mean squared intensity
difference before and after, its iterations and the field's smallest Jacobian determinant (the
reference frame's zero).
)doc")
      .def_property_readonly("phases",
                             [](const imaging::WallMotion& w) {
                               py::list out;
                               for (const auto& p : w.phases) out.append(rows3(p));
                               return out;
                             })
      .def_property_readonly("mismatch_before",
                             per_frame(&imaging::DeformableRegistration::mismatch_before))
      .def_property_readonly("mismatch_after",
                             per_frame(&imaging::DeformableRegistration::mismatch_after))
      .def_property_readonly("iterations", per_frame(&imaging::DeformableRegistration::iterations))
      .def_property_readonly("min_jacobian", [](const imaging::WallMotion& w) {
        std::vector<double> v;
        for (const auto& r : w.registrations) v.push_back(r.iterations ? r.min_jacobian : 0.0);
        return v;
      });

  m.def(
      "track_wall",
      [](const TriangleMesh& wall, const std::vector<Image>& frames, int reference, int levels,
         int iterations, double smoothing) {
        imaging::DeformableOptions o;
        o.levels = levels;
        o.iterations = iterations;
        o.smoothing_voxels = smoothing;
        py::gil_scoped_release release;
        return imaging::track_wall(wall, frames, reference, o);
      },
      py::arg("wall"), py::arg("frames"), py::arg("reference") = 0, py::arg("levels") = 3,
      py::arg("iterations") = 200, py::arg("smoothing") = 1.5, R"doc(
Carries `wall` (a closed TriangleMesh segmented on frames[reference]) onto every frame of a cine
scan: each frame registered onto the reference by diffeomorphic demons (ITK, a pyramid of
`levels`, at most `iterations` per level, the field smoothed by `smoothing` voxels), each vertex
moved by the field. Raises hemotwin.Error naming the frame whose registration fails.
)doc");

  m.def(
      "write_surface_series",
      [](const TriangleMesh& mesh, const std::vector<py::object>& phases, double period,
         const std::string& path, std::vector<double> times) {
        std::vector<std::vector<Vec3>> p;
        for (const auto& ph : phases) p.push_back(to_points(ph));
        if (times.empty())
          for (std::size_t k = 0; k < p.size(); ++k)
            times.push_back(period * double(k) / double(p.size()));
        write_surface_series(mesh, p, times, period, path);
      },
      py::arg("mesh"), py::arg("phases"), py::arg("period"), py::arg("path"),
      py::arg("times") = std::vector<double>{}, R"doc(
Writes a surface series as one .vtp (the mesh, a displacement array per phase, the times and the
period), the file a chamber case names as geometry.file. `phases`: the mesh's vertices at each
phase ((n, 3) each, as WallMotion.phases); `times` default to evenly spread over `period`.
)doc");
}

}  // namespace hemotwin::python
