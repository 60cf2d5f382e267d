// Checkpoints through read_checkpoint (HDF5, Fletcher-32 on the populations). A checkpoint that
// is accepted must be restorable in shape: whole cells of populations, one pressure per outlet.
#include "harness.hpp"
#include "hemotwin/io/checkpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hemotwin;
  const auto path = fuzz::as_file(data, size, "checkpoint.h5");
  try {
    const io::Checkpoint c = io::read_checkpoint(path);
    const auto& s = c.simulation;
    if (s.q_count != 19 && s.q_count != 27) fuzz::broken("a lattice of neither 19 nor 27 speeds");
    const std::size_t cell = std::size_t(s.q_count) * (s.double_precision ? 8 : 4);
    if (s.populations.size() % cell != 0) fuzz::broken("populations that are not whole cells");
    if (s.outlet_capacitor_pressure.size() != s.outlet_pressure.size())
      fuzz::broken("outlet pressures and capacitor pressures of different counts");
  } catch (const Error&) {
  }
  return 0;
}
