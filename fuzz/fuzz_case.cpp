// Case files: parse_case on arbitrary TOML text with `--set` overrides. Lines of the input that
// start with "#set " are also passed as overrides (they stay TOML comments in the text), so one
// input drives both the file and the command line. A case that is accepted must write out
// (to_toml) and read back: the documented round trip.
#include <string>
#include <vector>

#include "harness.hpp"
#include "hemotwin/io/case_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hemotwin;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> overrides;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    if (line.starts_with("#set ")) overrides.emplace_back(line.substr(5));
    at = end + 1;
  }
  Case c;
  try {
    std::vector<std::string> notes;
    c = io::parse_case(text, "fuzz.toml", overrides, &notes);
  } catch (const Error&) {
    return 0;
  }
  std::string again;
  try {
    again = io::to_toml(c);
    (void)io::parse_case(again, "fuzz-again.toml");
  } catch (const Error& e) {
    fuzz::broken(std::string("an accepted case does not read back from to_toml: ") + e.what() +
                 "\n--- written ---\n" + again);
  }
  return 0;
}
