#include <gtest/gtest.h>

#include "mpi_test.hpp"

namespace hemotwin::test {
std::shared_ptr<parallel::MpiCommunicator> world() {
  static auto comm = std::make_shared<parallel::MpiCommunicator>();
  return comm;
}
}  // namespace hemotwin::test

int main(int argc, char** argv) {
  hemotwin::parallel::Environment mpi(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  // Only rank 0 prints; a failure on another rank still fails the run through the exit code.
  if (hemotwin::test::world()->rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int failed = RUN_ALL_TESTS();
  int any = failed;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, hemotwin::test::world()->native());
  return any;
}
