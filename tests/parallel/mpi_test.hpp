#pragma once
// The MPI tests' shared parts: every test runs on every rank of MPI_COMM_WORLD (mpi_test_main.cpp
// starts MPI, reports from rank 0 only, and fails the run when any rank failed).
#include <memory>

#include "hemotwin/parallel/mpi.hpp"

namespace hemotwin::test {
std::shared_ptr<parallel::MpiCommunicator> world();
}  // namespace hemotwin::test
