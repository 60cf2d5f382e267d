#pragma once
// Text for hemotwin::imaging's messages (internal).
#include <sstream>
#include <string>

#include "hemotwin/geometry/volume.hpp"

namespace hemotwin::imaging::detail {

/// "(x, y, z) mm" at `precision` significant digits.
inline std::string mm_text(const Vec3& p, int precision = 4) {
  std::ostringstream s;
  s.precision(precision);
  s << "(" << p.x() << ", " << p.y() << ", " << p.z() << ") mm";
  return s.str();
}

}  // namespace hemotwin::imaging::detail
