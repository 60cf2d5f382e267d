#include "flow_setup.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>

#include "hemotwin/core/error.hpp"
#include "hemotwin/core/womersley.hpp"

namespace hemotwin::detail {

namespace {

std::string outlet_key(const OutletSpec& o, const std::string& leaf) {
  return (o.name.empty() ? std::string("outlet.") : "outlets." + o.name + ".") + leaf;
}

// Windkessel outlets set by the whole outflow's resistance and compliance (OutletSpec::
// total_resistance): each one's share of the flow by Murray's law, in iolet order (-1 for the
// others), and a note of the split.
std::vector<double> murray_shares(const Case& c, const DomainSpec& spec,
                                  std::vector<std::string>& notes) {
  std::vector<double> share(spec.iolets.size(), -1.0);
  double sum = 0;
  double exponent = 0;
  for (std::size_t k = 0; k < spec.iolets.size(); ++k) {
    const auto& io = spec.iolets[k];
    if (io.kind == IoletKind::VelocityInlet) continue;
    const OutletSpec& o = outlet_spec(c, io.name);
    if (o.model != OutletModel::Windkessel || !(o.total_resistance > 0)) continue;
    const std::string key = o.name.empty() ? "outlet." : "outlets." + o.name + ".";
    if (!std::isfinite(o.total_resistance))
      throw Error("the total resistance must be a finite number of Pa s/m^3", c.source_file,
                  key + "total_resistance_pa_s_m3");
    if (!(o.total_compliance > 0 && std::isfinite(o.total_compliance)))
      throw Error(
          "a Windkessel split needs the total compliance C > 0 (m^3/Pa) beside the total "
          "resistance",
          c.source_file, key + "total_compliance_m3_pa");
    if (!(o.proximal_fraction >= 0 && o.proximal_fraction < 1))
      throw Error("the proximal fraction R1 / (R1 + R2) must lie in [0, 1), got " +
                      std::to_string(o.proximal_fraction),
                  c.source_file, key + "proximal_fraction");
    if (!(o.murray_exponent >= 1 && o.murray_exponent <= 4))
      throw Error("Murray's exponent must lie in [1, 4] (3: Murray's law, 2: by area), got " +
                      std::to_string(o.murray_exponent),
                  c.source_file, key + "murray_exponent");
    if (!(io.radius > 0))
      throw Error("outlet " + io.name +
                      " has no known size, so a Windkessel split cannot give it a share; set its "
                      "r1_pa_s_m3, r2_pa_s_m3 and compliance_m3_pa in [outlets." +
                      io.name + "]",
                  c.source_file, key + "total_resistance_pa_s_m3");
    share[k] = std::pow(io.radius, o.murray_exponent);
    sum += share[k];
    exponent = o.murray_exponent;
  }
  if (sum <= 0) return share;
  std::ostringstream s;
  s.precision(3);
  s << "Windkessels split by Murray's law (flow ~ r^" << exponent << "):";
  for (std::size_t k = 0; k < share.size(); ++k) {
    if (share[k] < 0) continue;
    share[k] /= sum;
    const OutletSpec& o = outlet_spec(c, spec.iolets[k].name);
    const double r = o.total_resistance / share[k];
    s << " " << spec.iolets[k].name << " (r " << spec.iolets[k].radius * 1e3
      << " mm): " << 100 * share[k] << " %, R1 " << o.proximal_fraction * r << ", R2 "
      << (1 - o.proximal_fraction) * r << " Pa s/m^3, C " << o.total_compliance * share[k]
      << " m^3/Pa;";
  }
  std::string text = s.str();
  text.back() = '.';
  notes.push_back(text);
  return share;
}

std::string mm_point(const Vec3& p) {
  std::ostringstream s;
  s.precision(3);
  s << "(" << p.x() * 1e3 << ", " << p.y() * 1e3 << ", " << p.z() * 1e3 << ") mm";
  return s.str();
}

// Each outlet's expected share of the inflow (iolet order; 0 for inlets): the outlets' own where
// they set it (flow splits, resistive outlets without a fixed pressure), the rest divided by
// Murray's law over the openings' radii (what a tree with equal outlet pressures does roughly).
std::vector<double> outlet_shares(const DomainSpec& spec, const std::vector<OutletState>& outlets,
                                  bool& murray) {
  std::vector<double> share(spec.iolets.size(), 0.0);
  double known = 0, unknown_weight = 0;
  int unknown = 0;
  murray = false;
  for (const auto& st : outlets) {
    const auto& io = spec.iolets[std::size_t(st.iolet)];
    if (st.share >= 0) {
      share[std::size_t(st.iolet)] = st.share;
      known += st.share;
    } else {
      unknown_weight += std::pow(std::max(io.radius, 0.0), 3);
      ++unknown;
    }
  }
  for (const auto& st : outlets) {
    if (st.share >= 0 || !(unknown_weight > 0)) continue;
    share[std::size_t(st.iolet)] = std::max(0.0, 1.0 - known) *
                                   std::pow(spec.iolets[std::size_t(st.iolet)].radius, 3) /
                                   unknown_weight;
    murray = unknown > 1;  // one outlet takes the rest whatever the law
  }
  return share;
}

// A file geometry's peak (inlet_mean: the inlet's peak mean velocity; u: its peak so far): the
// fastest parabolic profile over every section the flow passes, with the flow it carries -- the
// outlets, and the narrowest stretches of the centerlines (DomainSpec::constrictions).
double file_geometry_peak(const DomainSpec& spec, const std::vector<OutletState>& outlets,
                          double inlet_mean, double u, std::ostringstream& note) {
  const double in = inlet_area(spec), q_peak = inlet_mean * in;
  bool murray = false;
  const std::vector<double> share = outlet_shares(spec, outlets, murray);
  // Every cross-section the flow passes, with the flow it carries: the openings, and the
  // narrowest stretches of the centerlines (DomainSpec::constrictions). A parabolic profile
  // there (2 x its mean): a jet is flatter, so this bounds it.
  double best = u;
  std::string at = "at the inlet";
  for (std::size_t k = 0; k < spec.iolets.size(); ++k) {
    const auto& io = spec.iolets[k];
    if (io.kind == IoletKind::VelocityInlet || !(io.radius > 0) || !(share[k] > 0)) continue;
    const double v = 2 * q_peak * share[k] / iolet_area(io);
    if (v > best) {
      best = v;
      std::ostringstream w;
      w.precision(3);
      w << "at " << io.name << " (radius " << io.radius * 1e3 << " mm), which carries "
        << 100 * share[k] << " % of the inflow";
      at = w.str();
    }
  }
  for (const auto& x : spec.constrictions) {
    double carried = 0;
    for (const auto& name : x.outlets)
      for (std::size_t k = 0; k < spec.iolets.size(); ++k)
        if (spec.iolets[k].name == name) carried += share[k];
    if (!(x.radius > 0) || !(carried > 0)) continue;
    const double v = 2 * q_peak * carried / (std::numbers::pi * x.radius * x.radius);
    if (v > best) {
      best = v;
      std::ostringstream w;
      w.precision(3);
      w << "at " << mm_point(x.point) << ", the narrowest section (equivalent radius "
        << x.radius * 1e3 << " mm) of the centerline " << x.path << ", which carries "
        << 100 * carried << " % of the inflow";
      at = w.str();
    }
  }
  if (spec.constrictions.empty() && !outlets.empty()) {
    // No centerlines: all the inflow through the narrowest opening bounds a tree.
    double narrowest = std::numeric_limits<double>::infinity();
    for (const auto& io : spec.iolets)
      if (io.radius > 0) narrowest = std::min(narrowest, iolet_area(io));
    const bool shares_known = std::all_of(outlets.begin(), outlets.end(),
                                          [](const OutletState& st) { return st.share >= 0; });
    if (!shares_known && in > 0 && std::isfinite(narrowest) && u * in / narrowest > best) {
      best = u * in / narrowest;
      at = "in the narrowest opening if all the inflow went through it (no centerlines)";
    }
  }
  note << "the peak velocity is expected " << at << ": " << best << " m/s (peak inflow "
       << q_peak * 1e6 << " mL/s, parabolic profiles";
  if (murray) note << "; outlet shares by Murray's law from the openings' radii";
  note << ")";
  return best;
}

}  // namespace

double inlet_area(const DomainSpec& spec) {
  double a = 0;
  for (const auto& io : spec.iolets)
    if (io.kind == IoletKind::VelocityInlet) a += iolet_area(io);
  return a;
}

std::vector<OutletState> make_outlets(const Case& c, DomainSpec& spec, double q_mean,
                                      double& reference, std::vector<std::string>& notes) {
  const std::string& file = c.source_file;
  const std::vector<double> murray = murray_shares(c, spec, notes);
  for (const auto& o : c.outlets) {
    bool found = false;
    std::string names;
    for (const auto& io : spec.iolets) {
      if (io.kind == IoletKind::VelocityInlet) continue;
      found |= io.name == o.name;
      names += (names.empty() ? "" : ", ") + io.name;
    }
    if (!found)
      throw Error("no outlet is named '" + o.name + "'; the outlets are: " + names, file,
                  "outlets." + o.name);
  }
  std::vector<OutletState> out;
  double split = 0, fixed_sum = 0, conductance = 0, drained = 0;
  int fixed = 0, pressure_outlets = 0;
  for (std::size_t k = 0; k < spec.iolets.size(); ++k) {
    auto& io = spec.iolets[k];
    if (io.kind == IoletKind::VelocityInlet) continue;
    const OutletSpec& o = outlet_spec(c, io.name);
    OutletState st;
    st.iolet = int(k);
    st.model = o.model;
    switch (o.model) {
      case OutletModel::Pressure:
        st.pressure = o.pressure;
        if (!o.pressure_time.empty()) {
          try {
            st.pressure_of.emplace(o.pressure_time, o.pressure_value,
                                   o.pressure_time.back() - o.pressure_time.front());
          } catch (const Error& e) {
            throw Error(e.message(), file, outlet_key(o, "pressure_file"));
          }
          st.pressure = (*st.pressure_of)(0.0);
        }
        fixed_sum += st.pressure_of ? st.pressure_of->mean() : st.pressure;
        ++fixed;
        ++pressure_outlets;
        break;
      case OutletModel::Resistance:
      case OutletModel::Windkessel: {
        const bool rcr = o.model == OutletModel::Windkessel;
        double r1 = o.resistance, r2 = rcr ? o.distal_resistance : 0.0;
        double cap = rcr ? o.compliance : 0.0;
        if (rcr && murray[k] > 0) {  // from the whole outflow's (murray_shares)
          const double total = o.total_resistance / murray[k];
          r1 = o.proximal_fraction * total;
          r2 = total - r1;
          cap = o.total_compliance * murray[k];
        }
        if (!(r1 >= 0) || !std::isfinite(r1) || (!rcr && !(r1 > 0)))
          throw Error("the resistance must be " + std::string(rcr ? ">= 0" : "> 0") +
                          " (Pa s/m^3), got " + std::to_string(r1),
                      file, outlet_key(o, rcr ? "r1_pa_s_m3" : "resistance_pa_s_m3"));
        if (rcr && !(r2 > 0 && std::isfinite(r2)))
          throw Error("a Windkessel needs a distal resistance R2 > 0 (Pa s/m^3)", file,
                      outlet_key(o, "r2_pa_s_m3"));
        if (rcr && !(cap > 0 && std::isfinite(cap)))
          throw Error("a Windkessel needs a compliance C > 0 (m^3/Pa)", file,
                      outlet_key(o, "compliance_m3_pa"));
        st.windkessel.emplace(r1, r2, cap, o.pressure, o.pressure);
        conductance += 1.0 / (r1 + r2);
        drained += o.pressure / (r1 + r2);
        ++pressure_outlets;
        break;
      }
      case OutletModel::FlowSplit:
        if (!(o.flow_fraction > 0 && o.flow_fraction < 1))
          throw Error("a flow split needs the outlet's share of the inflow in (0, 1), got " +
                          std::to_string(o.flow_fraction),
                      file, outlet_key(o, "flow_fraction"));
        if (c.driver != FlowDriver::Inlet)
          throw Error("a flow split divides the inflow; it needs driver = \"inlet\"", file,
                      outlet_key(o, "model"));
        if (!(io.radius > 0))
          throw Error("a flow-split outlet needs an area (its radius is unknown)", file,
                      outlet_key(o, "model"));
        io.kind = IoletKind::VelocityOutlet;
        io.parabolic = c.inlet.profile != InletProfile::Plug;
        st.fraction = o.flow_fraction;
        st.area = iolet_area(io);
        split += o.flow_fraction;
        break;
    }
    if (o.model != OutletModel::FlowSplit && o.sponge_diameters > 0) {
      if (!(io.radius > 0))
        throw Error(
            "a sponge layer is measured in the outlet's diameters, and this outlet's is "
            "unknown",
            file, outlet_key(o, "sponge_diameters"));
      io.sponge_length = o.sponge_diameters * 2 * io.radius;
      io.sponge_viscosity_ratio = o.sponge_viscosity_ratio;
    }
    out.push_back(std::move(st));
  }
  if (split > 0 && pressure_outlets == 0)
    throw Error(
        "every outlet has a flow split: at least one outlet must set the pressure (model = "
        "\"pressure\", \"resistance\" or \"windkessel\")",
        file, "outlet.model");
  if (split >= 1)
    throw Error("the flow splits add up to " + std::to_string(split) +
                    ", leaving no flow for the other outlets; they must add up to less than 1",
                file, "outlet.flow_fraction");
  const double rest = q_mean * (1.0 - split);
  reference =
      fixed > 0 ? fixed_sum / fixed : (conductance > 0 ? (rest + drained) / conductance : 0.0);
  for (auto& st : out) {
    if (!st.windkessel) continue;
    auto& wk = *st.windkessel;
    const double q = std::max(0.0, (reference - wk.distal_pressure()) / wk.total_resistance());
    wk.set_capacitor_pressure(wk.steady_capacitor_pressure(q));
    st.pressure = wk.pressure(0.0);
  }
  // Without a fixed-pressure outlet the outflows are set by the outlets alone: a flow split's by
  // its fraction, a resistive outlet's by its resistance (the domain's own is small beside it).
  for (auto& st : out) {
    if (st.model == OutletModel::FlowSplit)
      st.share = st.fraction;
    else if (fixed == 0 && st.windkessel && q_mean > 0)
      st.share = std::max(0.0, (reference - st.windkessel->distal_pressure()) /
                                   st.windkessel->total_resistance()) /
                 q_mean;
  }
  return out;
}

std::optional<Waveform> inflow_waveform(const Case& c) {
  const auto& in = c.inlet;
  if (in.waveform_time.empty()) return std::nullopt;
  return Waveform(in.waveform_time, in.waveform_flow,
                  in.waveform_time.back() - in.waveform_time.front());
}

// The expected peak velocity (m/s), which sets the time step, and a sentence saying where and why.
double peak_velocity_estimate(const Case& c, const DomainSpec& spec,
                              const std::optional<Waveform>& inflow,
                              const std::vector<OutletState>& outlets, std::string& where) {
  const auto& g = c.geometry;
  const double mu = min_viscosity(c.blood);
  std::ostringstream note;
  note.precision(3);
  if (c.driver == FlowDriver::Inlet) {
    double u = c.inlet.mean_velocity * (1.0 + std::abs(c.inlet.amplitude));
    if (const double area = inlet_area(spec); inflow && area > 0)
      u = std::max(std::abs(inflow->max()), std::abs(inflow->min())) / area;
    const double inlet_mean = u;
    if (c.inlet.profile != InletProfile::Plug) u *= 2.0;
    if (g.shape == ShapeKind::StenosedPipe) {
      u /= std::pow(1.0 - g.stenosis_severity, 2);
      note << "the peak velocity is expected in the stenosis' throat: " << u
           << " m/s (a parabolic profile through " << 100 * std::pow(1 - g.stenosis_severity, 2)
           << " % of the pipe's area)";
    } else if (!is_file_shape(g.shape)) {
      note << "the peak velocity is expected at the inlet: " << u << " m/s";
    }
    if (is_file_shape(g.shape)) u = file_geometry_peak(spec, outlets, inlet_mean, u, note);
    where = note.str();
    return u;
  }
  // A steady gradient's Poiseuille peak plus the oscillating part's, which Womersley's solution
  // gives: at alpha = 5.5 a fifth of the steady peak of the same gradient, off the axis.
  const auto& bf = c.body_force;
  const double g0 = std::abs(bf.gradient), ga = std::abs(bf.oscillation_amplitude);
  const double nu = mu / c.blood.density, omega = 2 * std::numbers::pi / bf.period;
  const double gap = g.shape == ShapeKind::Box ? g.size.minCoeff() : g.diameter;
  double u;
  if (g.shape == ShapeKind::Channel || g.shape == ShapeKind::Box) {
    const double h = 0.5 * gap, alpha = h * std::sqrt(omega / nu);
    u = (g0 / 2 + ga * oscillating_channel_peak(alpha)) * h * h / mu;
    note << "the peak velocity is expected midway between the walls: " << u
         << " m/s (steady channel flow of the mean gradient";
    if (ga > 0) note << " plus Stokes' oscillating flow of its amplitude, alpha " << alpha;
  } else {
    const double R = 0.5 * g.diameter, alpha = R * std::sqrt(omega / nu);
    u = (g0 / 4 + ga * womersley_peak(alpha)) * R * R / mu;
    note << "the peak velocity is expected on the pipe's axis: " << u
         << " m/s (Poiseuille flow of the mean gradient";
    if (ga > 0) note << " plus Womersley flow of its amplitude, alpha " << alpha;
  }
  note << ")";
  where = note.str();
  return u;
}

}  // namespace hemotwin::detail
