#pragma once
// hemotwin::parallel with MPI (Debian's OpenMPI): the Communicator an Engine or a Simulation
// split over processes talks through, and MPI's start and end around a program.
#include <mpi.h>

#include <string>
#include <vector>

#include "hemotwin/core/decomposition.hpp"

namespace hemotwin::parallel {

/// MPI_Init_thread (MPI_THREAD_FUNNELED: only the thread that made the Environment calls MPI;
/// OpenMP threads do not) and MPI_Finalize. Does nothing where MPI is already running (mpi4py).
class Environment {
 public:
  Environment(int& argc, char**& argv);
  Environment();
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

 private:
  void start(int* argc, char*** argv);
  bool owns_ = false;
};

/// Whether the MPI library passes CUDA device memory itself (a CUDA-aware OpenMPI, asked through
/// MPIX_Query_cuda_support); when not, halos of the CUDA backend travel through host memory.
bool cuda_aware();
/// The MPI library's own description (MPI_Get_library_version, first line).
std::string library_version();

class MpiCommunicator final : public Communicator {
 public:
  /// Works on a duplicate of `comm`, whose errors are thrown as hemotwin::Error. MPI must be
  /// initialised (Environment).
  explicit MpiCommunicator(MPI_Comm comm = MPI_COMM_WORLD);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  /// This process's place among the processes of its node (shared memory): which GPU it takes.
  int node_rank() const override { return node_rank_; }
  int node_size() const { return node_size_; }
  MPI_Comm native() const { return comm_; }

  void sum(std::span<double> values) override;
  void max(std::span<double> values) override;
  void min(std::span<std::int64_t> values) override;
  void sum(std::span<std::uint64_t> values) override;
  void start_exchange(std::span<const int> peers, std::span<const std::span<const std::byte>> send,
                      std::span<const std::span<std::byte>> recv, bool device) override;
  void finish_exchange() override;
  bool device_buffers() const override { return cuda_aware_; }
  std::vector<std::vector<std::byte>> gather(std::span<const std::byte> mine, int root) override;
  void broadcast(std::vector<std::byte>& bytes, int root) override;
  void barrier();

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1, node_rank_ = 0, node_size_ = 1;
  bool cuda_aware_ = false;
  std::vector<MPI_Request> pending_;
};

}  // namespace hemotwin::parallel
