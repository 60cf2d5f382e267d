// hemotwin.wall_indices, hemotwin.area_fractions, hemotwin.region_stats: hemotwin::analysis's wall
// indices on NumPy arrays; hemotwin.analyze (a results directory's metrics.json as a dict) and
// hemotwin.young_tsai (docs/analysis.md).
#include <filesystem>

#include "bindings.hpp"
#include "hemotwin/analysis/flow_metrics.hpp"
#include "hemotwin/analysis/wall_indices.hpp"
#include "hemotwin/io/case_file.hpp"
#include "hemotwin/report/report.hpp"

namespace hemotwin::python {

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::vector<double> values(const py::object& o, const char* what) {
  if (o.is_none()) return {};
  const auto a = Array::ensure(o);
  if (!a || a.ndim() != 1) throw py::value_error(std::string(what) + " must be a 1-D array");
  return {a.data(), a.data() + a.size()};
}

std::vector<bool> mask_of(const py::object& o, std::size_t n) {
  if (o.is_none()) return {};
  const auto a = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(o);
  if (!a || a.ndim() != 1 || std::size_t(a.size()) != n)
    throw py::value_error("mask must be a 1-D boolean array with one value per wall point (" +
                          std::to_string(n) + ")");
  return std::vector<bool>(a.data(), a.data() + a.size());
}

py::array_t<double> array(const std::vector<double>& v) {
  return copy_array<double>(v, {py::ssize_t(v.size())});
}

py::dict to_dict(const analysis::WallIndices& w) {
  py::dict d;
  d["tawss"] = array(w.tawss);
  d["osi"] = array(w.osi);
  d["rrt"] = array(w.rrt);
  d["ecap"] = array(w.ecap);
  if (!w.peak_wss.empty()) d["peak_wss"] = array(w.peak_wss);
  d["window"] = w.window;
  return d;
}

}  // namespace

void init_analysis(py::module_& m) {
  m.def(
      "wall_indices",
      [](const py::object& times, const py::object& wss, std::optional<std::size_t> peak_sample) {
        const std::vector<double> t = values(times, "times");
        const auto a = Array::ensure(wss);
        if (!a || a.ndim() != 3 || a.shape(2) != 3)
          throw py::value_error("wss must be an array (samples, wall points, 3) in Pa");
        std::vector<std::vector<analysis::Vec3>> s(std::size_t(a.shape(0)));
        const double* d = a.data();
        for (std::size_t k = 0; k < s.size(); ++k) {
          s[k].resize(std::size_t(a.shape(1)));
          for (std::size_t p = 0; p < s[k].size(); ++p, d += 3)
            s[k][p] = analysis::Vec3(d[0], d[1], d[2]);
        }
        return to_dict(analysis::wall_indices(t, s, peak_sample));
      },
      py::arg("times"), py::arg("wss"), py::arg("peak_sample") = py::none(), R"doc(
TAWSS, OSI, RRT and ECAP (docs/analysis.md) of WSS samples `wss` (samples, wall points, 3; Pa)
taken at `times` (s, increasing), by the trapezoidal rule; with `peak_sample`, |WSS| at that
sample as peak_wss. Returns a dict of arrays (and the window, s).)doc");
  m.def(
      "derived_indices",
      [](const py::object& tawss, const py::object& osi) {
        return to_dict(analysis::derived_indices(values(tawss, "tawss"), values(osi, "osi")));
      },
      py::arg("tawss"), py::arg("osi"),
      "RRT and ECAP from stored TAWSS and OSI (results.h5 /wall).");
  m.def(
      "area_fractions",
      [](const py::object& tawss, const py::object& osi, const py::object& area, double low_tawss,
         double high_osi, const py::object& mask) {
        const auto w = analysis::derived_indices(values(tawss, "tawss"), values(osi, "osi"));
        const auto f = analysis::area_fractions(w, values(area, "area"), {low_tawss, high_osi},
                                                mask_of(mask, w.size()));
        py::dict d;
        d["low_tawss"] = f.low_tawss;
        d["high_osi"] = f.high_osi;
        d["area"] = f.area;
        d["points"] = f.points;
        return d;
      },
      py::arg("tawss"), py::arg("osi"), py::arg("area") = py::none(), py::arg("low_tawss") = 0.4,
      py::arg("high_osi") = 0.2, py::arg("mask") = py::none(),
      "Shares of the wall area (per-point `area`, or equal weights) with TAWSS below `low_tawss` "
      "(Pa) and OSI above `high_osi`, over the points `mask` selects.");
  m.def(
      "region_stats",
      [](const py::object& v, const py::object& area, const py::object& mask) {
        const std::vector<double> x = values(v, "values");
        const auto s = analysis::region_stats(x, values(area, "area"), mask_of(mask, x.size()));
        py::dict d;
        for (const auto& [k, val] : {std::pair{"mean", s.mean},
                                     {"min", s.min},
                                     {"max", s.max},
                                     {"p5", s.p5},
                                     {"p50", s.p50},
                                     {"p95", s.p95},
                                     {"area", s.area}})
          d[k] = val;
        d["points"] = s.points;
        return d;
      },
      py::arg("values"), py::arg("area") = py::none(), py::arg("mask") = py::none(),
      "Area-weighted mean, min, max and 5th/50th/95th percentiles of `values` over a region.");

  m.def(
      "analyze",
      [](const std::filesystem::path& results, const std::string& proximal,
         const std::string& distal, const py::object& aortic_mmhg, double low_tawss,
         double high_osi) {
        std::filesystem::path h5 = results;
        if (std::filesystem::is_directory(h5)) h5 /= "results.h5";
        analysis::FlowMetricsOptions o;
        o.proximal = proximal;
        o.distal = distal;
        if (!aortic_mmhg.is_none())
          o.aortic_pressure = aortic_mmhg.cast<double>() * io::pascal_per_mmhg;
        std::string text;
        {
          py::gil_scoped_release release;
          const io::ResultsData r = io::read_results(h5);
          const analysis::FlowMetrics f = analysis::flow_metrics(r, o);
          text = analysis::metrics_json(r, f, analysis::wall_summary(r, {low_tawss, high_osi}));
        }
        return py::module_::import("json").attr("loads")(text);
      },
      py::arg("results"), py::arg("proximal") = "", py::arg("distal") = "",
      py::arg("aortic_pressure_mmhg") = py::none(), py::arg("low_tawss") = 0.4,
      py::arg("high_osi") = 0.2, R"doc(
The clinical metrics of a results directory (or its results.h5), as `hemotwin analyze` writes
them to metrics.json: per inlet, outlet and section the window-mean flow and pressure, the flow
split, the pressure drop between `proximal` and `distal` (any two of those planes) with the
pressure ratio and virtual FFR ((Pa - drop) / Pa when `aortic_pressure_mmhg` is given), and the
wall's TAWSS/OSI/RRT/ECAP statistics. Nothing is written. Raises hemotwin.Error naming the file.
)doc");

  m.def(
      "report",
      [](const std::filesystem::path& input, const py::object& output, bool figures,
         const std::string& title) {
        const std::filesystem::path out =
            output.is_none() ? input / "report" : output.cast<std::filesystem::path>();
        report::ReportOptions o;
        o.figures = figures;
        o.title = title;
        report::ReportResult r;
        {
          py::gil_scoped_release release;
          r = report::write_report(input, out, o);
        }
        py::dict d;
        d["kind"] = r.kind;
        d["html"] = r.html;
        d["json"] = r.json;
        d["figures"] = r.figures;
        return d;
      },
      py::arg("input"), py::arg("output") = py::none(), py::arg("figures") = true,
      py::arg("title") = "", R"doc(
Writes the report of a results directory, a `hemotwin plan` directory or a `hemotwin progress` one
into `output` (default input/report): report.html (self-contained), the PNG figures (wall maps of
TAWSS and OSI, flow and pressure waveforms; VTK, rendered offscreen through X: figures=False where
there is no display) and report.json. Returns {kind, html, json, figures}. Raises hemotwin.Error.
)doc");

  m.def(
      "young_tsai",
      [](double diameter, double throat_diameter, double length, double mean_velocity,
         double viscosity, double density, const py::object& s, const py::object& radius) {
        analysis::StenosisGeometry g{diameter, throat_diameter, length, values(s, "s"),
                                     values(radius, "radius")};
        const auto dp = analysis::young_tsai(g, mean_velocity, viscosity, density);
        py::dict d;
        d["viscous"] = dp.viscous;
        d["expansion"] = dp.expansion;
        d["total"] = dp.total();
        return d;
      },
      py::arg("diameter"), py::arg("throat_diameter"), py::arg("length"), py::arg("mean_velocity"),
      py::arg("viscosity") = 0.0035, py::arg("density") = 1060.0, py::arg("s") = py::none(),
      py::arg("radius") = py::none(), R"doc(
Young & Tsai's steady pressure drop (Pa) across a stenosis, SI units: {'viscous', 'expansion',
'total'}. With a radius profile (`s` along the stenosis, `radius` there) the viscous term is
Poiseuille's loss integrated along it; without, Young & Tsai's blunt-plug K_v.
)doc");
}

}  // namespace hemotwin::python
