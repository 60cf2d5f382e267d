#pragma once
#include <memory>

#include "bindings.hpp"
#include "hemotwin/core/fields.hpp"

namespace hemotwin::python {
/// A snapshot of the macroscopic fields with the grid it lives on.
struct Fields {
  FieldSnapshot snapshot;
  std::shared_ptr<GridInfo> grid;
};
}  // namespace hemotwin::python
