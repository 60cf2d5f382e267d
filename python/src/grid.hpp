#pragma once
#include "bindings.hpp"
#include "hemotwin/core/fields.hpp"

namespace hemotwin::python {
/// Brick-ordered per-cell values (float or double, `components` per cell) scattered onto the
/// dense [z][y][x] box of `g` (a float64 array), `fill` outside the fluid.
py::array dense(const GridInfo& g, const void* values, bool is_float, int components, double fill);
}  // namespace hemotwin::python
