#include "x_display.hpp"

// Xlib last and alone in this file: its macros (None, Status, Bool, Success) clash with VTK's.
#include <X11/Xlib.h>

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "hemotwin/core/error.hpp"

namespace hemotwin::report {

void* x_display() {
  static std::mutex mutex;
  static Display* display = nullptr;
  const std::lock_guard<std::mutex> lock(mutex);
  if (display != nullptr) return display;
  // A few tries, 0.25 s apart: an X server that xvfb-run has just replaced on the same display
  // number can still hold the number's socket for a moment while it shuts down.
  for (int attempt = 0; attempt < 8 && display == nullptr; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    display = XOpenDisplay(nullptr);
  }
  if (display == nullptr) {
    const char* name = std::getenv("DISPLAY");
    throw Error("cannot open the X display '" + std::string(name != nullptr ? name : "") +
                "' to render the report's figures: no X server answers there, or it refuses "
                "this client's authorisation. Run the command under xvfb-run -a (Debian package "
                "xvfb), or leave the figures out (--no-figures)");
  }
  return display;
}

}  // namespace hemotwin::report
