// Waveform files: two columns, one closed cycle; errors name the file and line. The realdata test
// reads the openBF inflow waveforms of ../shared/data (skipped where it is absent).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hemotwin/core/error.hpp"
#include "hemotwin/io/waveform_file.hpp"

using namespace hemotwin;
namespace fs = std::filesystem;

namespace {

fs::path write(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / "hemotwin-waveform-file";
  fs::create_directories(dir);
  std::ofstream(dir / name) << text;
  return dir / name;
}

std::string message_of(const fs::path& p, double scale = 1, double period = 0) {
  try {
    io::read_waveform(p, scale, period);
  } catch (const Error& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

// Built twice: without HEMOTWIN_WAVEFORM_REALDATA the synthetic tests (label io), with it the
// openBF test (labels realdata, io).
#ifndef HEMOTWIN_WAVEFORM_REALDATA
TEST(WaveformFile, ReadsCommentsCommasAndUnits) {
  const fs::path p =
      write("ok.csv", "# time (s), flow (mL/s)\n0, 4\n0.25, 6\n\n0.5, 5\n0.75, 3\n1.0, 4\n");
  const Waveform w = io::read_waveform(p, 1e-6);
  EXPECT_DOUBLE_EQ(w.period(), 1.0);
  EXPECT_EQ(w.times().size(), 4u);  // the closing sample dropped
  EXPECT_NEAR(w(0.25), 6e-6, 1e-18);
  EXPECT_NEAR(w(1.25), 6e-6, 1e-18);
  EXPECT_NO_THROW(io::read_waveform(p, 1e-6, 1.0005));  // within 0.1 %
}

TEST(WaveformFile, BadFilesNameTheLine) {
  const auto back = write("back.dat", "0 1\n0.5 2\n0.4 3\n1.0 1\n");
  EXPECT_NE(message_of(back).find("back.dat:3: time 0.4 s does not follow 0.500000 s (line 2)"),
            std::string::npos)
      << message_of(back);
  const auto text = write("text.dat", "0 1\n0.5 two\n1 1\n");
  EXPECT_NE(message_of(text).find("text.dat:2: expected two numbers"), std::string::npos)
      << message_of(text);
  const auto open = write("open.dat", "0 1\n0.3 2\n0.6 3\n1.0 2\n");
  EXPECT_NE(message_of(open).find("open.dat:4: the last sample (2.000000) does not repeat the "
                                  "first (1.000000)"),
            std::string::npos)
      << message_of(open);
  const auto ok = write("period.dat", "0 1\n0.3 2\n0.6 3\n1.0 1\n");
  EXPECT_NE(message_of(ok, 1, 0.8)
                .find("period.dat:4: the waveform spans 1.000000 s (lines 1 to "
                      "4) but the case's period is 0.800000 s"),
            std::string::npos)
      << message_of(ok, 1, 0.8);
  EXPECT_NE(message_of(fs::path("/nonexistent/q.dat")).find("cannot open the waveform file"),
            std::string::npos);
}

#else
TEST(WaveformFile, OpenBfInflowWaveforms) {
  const fs::path dir = fs::path(HEMOTWIN_SHARED_DATA_DIR) / "openbf-inflow-waveforms";
  if (!fs::exists(dir))
    GTEST_SKIP() << "real data not found: " << dir.string()
                 << " (../shared/data is absent on this machine; this test needs it)";
  // Common carotid (Boileau et al. 2015): T = 1.1 s, 3.80 to 13.3 mL/s, mean 6.50 mL/s.
  const Waveform cca = io::read_waveform(dir / "boileau2015__cca__cca_inlet.dat", 1.0, 1.1);
  std::printf("CCA: period %.3f s, mean %.4e m^3/s, samples %.3e to %.3e\n", cca.period(),
              cca.mean(), cca.min(), cca.max());
  EXPECT_NEAR(cca.period(), 1.1, 1e-12);
  EXPECT_NEAR(cca.mean(), 6.50e-6, 0.01 * 6.50e-6);
  EXPECT_NEAR(cca.min(), 3.80e-6, 0.01e-6);
  EXPECT_NEAR(cca.max(), 1.33e-5, 0.01e-5);
  // Every openBF inflow reads, with its own period, but one: the digitised circle-of-Willis
  // inflow goes back in time at its line 15 (0.02692 s after 0.02830 s), and is refused there.
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.size() < 10 || name.substr(name.size() - 10) != "_inlet.dat") continue;
    if (name.starts_with("alastruey2007")) {
      const std::string msg = message_of(e.path());
      EXPECT_NE(msg.find(name + ":15: time 0.026918057658251032 s does not follow 0.028296 s"),
                std::string::npos)
          << msg;
      continue;
    }
    const Waveform w = io::read_waveform(e.path());
    std::printf("%s: period %.4g s, mean %.4e m^3/s\n", name.c_str(), w.period(), w.mean());
    EXPECT_GT(w.period(), 0.5) << name;
  }
}
#endif
