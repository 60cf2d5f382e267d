#pragma once
// A chamber whose wall moves (DomainSpec::moving_wall) run through Simulation: which iolets are
// its valves, when each is open, and the peak velocity its time step is derived from (the
// volume's rate through the valves open then). Internal to hemotwin::core (simulation.cpp).
#include <string>
#include <vector>

#include "hemotwin/core/case.hpp"
#include "hemotwin/core/sparse_lattice.hpp"

namespace hemotwin::detail {

struct ChamberValves {
  std::vector<int> iolet;  // per Case::valves entry: its iolet in the domain
  /// Per Case::valves entry: when it is open (fractions of the cycle), the case's or, for a
  /// valve open while the chamber fills or ejects, from the wall's volume.
  std::vector<ValveSpec> timing;
  double period = 0;  // s, the wall's cycle
  /// Which iolets are open at time t (iolets that are no valve always are), diodes as their
  /// timing plans them.
  std::vector<bool> open_at(std::size_t iolets, double t) const;

  /// Diode valves (ValveSpec::diode): their state, per Case::valves entry (others unused).
  std::vector<char> diode_open;
  bool has_diodes() const;
  /// Starts each diode as its timing has it at time t.
  void start_diodes(double t);
  /// One step of the diodes: `inside` the pressure at each valve (Pa, per Case::valves entry),
  /// `outside` the pressure its outlet holds beyond it, `outflow` its flow out of the chamber
  /// (m^3/s). A closed diode opens when the pressure pushes its way; an open one closes when both
  /// its flow and the pressure have turned back. Returns whether any changed.
  bool step_diodes(const std::vector<double>& inside, const std::vector<double>& outside,
                   const std::vector<double>& outflow);
  /// open_at with each diode as it is now.
  std::vector<bool> open_now(std::size_t iolets, double t) const;
};

/// The valves of `c` among the iolets of `spec` (by name) and the wall's period; a valve open
/// while the chamber fills opens at the wall's smallest volume over the cycle and closes at its
/// largest (one ejecting the other way round), found on 4096 phases, and `notes` says when.
/// Throws hemotwin::Error naming the valve (key valves) when a valve is not an iolet of the
/// domain, or is open with the volume of a wall that does not know its volume.
ChamberValves chamber_valves(const Case& c, const DomainSpec& spec,
                             std::vector<std::string>* notes = nullptr);

/// The peak velocity (m/s) a chamber's flow is expected to reach: 1.5 times the largest of the
/// volume's rate over the area of the valves open then (a valve's jet is near plug-like), on 512
/// phases of the cycle; `where` says when. Throws hemotwin::Error (key valves) where the volume
/// changes by more than 10 % of its fastest rate while every valve is closed (blood cannot go
/// anywhere), and (key time.time_step_s) where the shape does not know its volume and no time
/// step is set.
double chamber_peak_velocity(const Case& c, const DomainSpec& spec, const ChamberValves& valves,
                             std::string& where);

}  // namespace hemotwin::detail
