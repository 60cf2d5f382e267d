// Waveform and pressure files (two columns: time, value) through read_waveform. The first byte
// chooses the period the caller asks for (none, or 0.8 or 1 s); the rest is the file. A waveform
// that is accepted must be finite over its cycle.
#include <cmath>

#include "harness.hpp"
#include "hemotwin/io/waveform_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hemotwin;
  if (size < 1) return 0;
  const double periods[] = {0.0, 0.8, 1.0, 0.0};
  const double period = periods[data[0] % 4];
  const auto path = fuzz::as_file(data + 1, size - 1, "inflow.csv");
  try {
    const Waveform w = io::read_waveform(path, 1e-6, period);
    if (!(w.period() > 0) || !std::isfinite(w.period()) || !std::isfinite(w.mean()))
      fuzz::broken("a waveform with a non-finite or non-positive period or mean");
    for (int k = 0; k <= 16; ++k)
      if (!std::isfinite(w(w.period() * k / 16.0)))
        fuzz::broken("a waveform with a non-finite value inside its cycle");
  } catch (const Error&) {
  }
  return 0;
}
