#include "hemotwin/core/case.hpp"

#include <algorithm>
#include <cmath>

namespace hemotwin {
const char* to_string(BackendKind v) {
  switch (v) {
    case BackendKind::Auto:
      return "auto";
    case BackendKind::Cpu:
      return "cpu";
    case BackendKind::Cuda:
      return "cuda";
  }
  return "?";
}
const char* to_string(CollisionModel v) {
  switch (v) {
    case CollisionModel::Bgk:
      return "bgk";
    case CollisionModel::Trt:
      return "trt";
    case CollisionModel::Regularized:
      return "regularized";
    case CollisionModel::Cumulant:
      return "cumulant";
    case CollisionModel::Kbc:
      return "kbc";
  }
  return "?";
}
const char* to_string(WallMethod v) { return v == WallMethod::Bouzidi ? "bouzidi" : "bounce_back"; }
const char* to_string(ShapeKind v) {
  switch (v) {
    case ShapeKind::Box:
      return "box";
    case ShapeKind::Channel:
      return "channel";
    case ShapeKind::Pipe:
      return "pipe";
    case ShapeKind::StenosedPipe:
      return "stenosed_pipe";
    case ShapeKind::Surface:
      return "surface";
    case ShapeKind::LabelMap:
      return "label_map";
    case ShapeKind::Scan:
      return "scan";
    case ShapeKind::SurfaceSeries:
      return "surface_series";
  }
  return "?";
}
const char* to_string(InletProfile v) {
  return v == InletProfile::Parabolic ? "parabolic"
         : v == InletProfile::Plug    ? "plug"
                                      : "womersley";
}
const char* to_string(FlowDriver v) { return v == FlowDriver::Inlet ? "inlet" : "body_force"; }
const char* to_string(StreamingScheme v) {
  switch (v) {
    case StreamingScheme::Auto:
      return "auto";
    case StreamingScheme::TwoLattice:
      return "two-lattice";
    case StreamingScheme::AaPattern:
      return "aa";
  }
  return "?";
}
const char* to_string(Precision v) { return v == Precision::Float ? "float" : "double"; }
const char* to_string(LatticeKind v) { return v == LatticeKind::D3Q19 ? "D3Q19" : "D3Q27"; }
const char* to_string(OutletModel v) {
  switch (v) {
    case OutletModel::Pressure:
      return "pressure";
    case OutletModel::Resistance:
      return "resistance";
    case OutletModel::Windkessel:
      return "windkessel";
    case OutletModel::FlowSplit:
      return "flow_split";
  }
  return "?";
}

const char* to_string(RheologyModel v) {
  switch (v) {
    case RheologyModel::Newtonian:
      return "newtonian";
    case RheologyModel::CarreauYasuda:
      return "carreau_yasuda";
    case RheologyModel::Casson:
      return "casson";
    case RheologyModel::PowerLaw:
      return "power_law";
  }
  return "?";
}

double min_viscosity(const BloodSpec& b) {
  switch (b.model) {
    case RheologyModel::Newtonian:
      return b.viscosity;
    case RheologyModel::CarreauYasuda:  // shear thinning (n < 1) or thickening
      return std::min(b.zero_shear_viscosity, b.infinite_shear_viscosity);
    default:
      return b.min_viscosity;
  }
}

double max_viscosity(const BloodSpec& b) {
  switch (b.model) {
    case RheologyModel::Newtonian:
      return b.viscosity;
    case RheologyModel::CarreauYasuda:
      return std::max(b.zero_shear_viscosity, b.infinite_shear_viscosity);
    default:
      return b.max_viscosity;
  }
}

double viscosity_at(const BloodSpec& b, double gamma) {
  gamma = std::max(gamma, 1e-12);
  double mu = b.viscosity;
  switch (b.model) {
    case RheologyModel::Newtonian:
      return b.viscosity;
    case RheologyModel::CarreauYasuda:
      mu = b.infinite_shear_viscosity +
           (b.zero_shear_viscosity - b.infinite_shear_viscosity) *
               std::pow(1 + std::pow(b.relaxation_time * gamma, b.yasuda_exponent),
                        (b.power_index - 1) / b.yasuda_exponent);
      break;
    case RheologyModel::Casson: {
      const double s = std::sqrt(b.yield_stress / gamma) + std::sqrt(b.casson_viscosity);
      mu = s * s;
      break;
    }
    case RheologyModel::PowerLaw:
      mu = b.consistency * std::pow(gamma, b.power_index - 1);
      break;
  }
  return std::clamp(mu, min_viscosity(b), max_viscosity(b));
}

double effective_viscosity(const Case& c, double dx, double gamma) {
  const double eddy = c.turbulence.smagorinsky
                          ? c.blood.density * std::pow(c.turbulence.constant * dx, 2) * gamma
                          : 0.0;
  return viscosity_at(c.blood, gamma) + eddy;
}

const OutletSpec& outlet_spec(const Case& c, const std::string& name) {
  for (const auto& o : c.outlets)
    if (o.name == name) return o;
  return c.outlet;
}

}  // namespace hemotwin
