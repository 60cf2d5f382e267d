#include "hemotwin/parallel/mpi.hpp"

#include <climits>
#include <cstring>

#if __has_include(<mpi-ext.h>)
#include <mpi-ext.h>
#endif

#include "hemotwin/core/error.hpp"

namespace hemotwin::parallel {
namespace {
constexpr int kHaloTag = 7001;

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  throw Error(std::string("MPI: ") + what + " failed: " + std::string(text, std::size_t(len)));
}

int count_of(std::size_t bytes, const char* what) {
  if (bytes > std::size_t(INT_MAX))
    throw Error(std::string("MPI: ") + what + " of " + std::to_string(bytes) +
                " bytes exceeds the 2 GiB one message may carry; use more processes");
  return int(bytes);
}
}  // namespace

Environment::Environment(int& argc, char**& argv) { start(&argc, &argv); }

Environment::Environment() { start(nullptr, nullptr); }

void Environment::start(int* argc, char*** argv) {
  int running = 0;
  MPI_Initialized(&running);
  if (running) return;
  int provided = 0;
  check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  owns_ = true;
}

Environment::~Environment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owns_ && !finalized) MPI_Finalize();
}

bool cuda_aware() {
#if defined(MPIX_CUDA_AWARE_SUPPORT) && MPIX_CUDA_AWARE_SUPPORT
  return MPIX_Query_cuda_support() == 1;
#else
  return false;
#endif
}

std::string library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(text, &len);
  std::string s(text, std::size_t(len));
  const auto eol = s.find_first_of("\r\n,");
  return eol == std::string::npos ? s : s.substr(0, eol);
}

MpiCommunicator::MpiCommunicator(MPI_Comm comm) {
  int running = 0;
  MPI_Initialized(&running);
  if (!running)
    throw Error("MPI is not initialised: create a hemotwin::parallel::Environment first");
  int level = MPI_THREAD_SINGLE;
  check(MPI_Query_thread(&level), "MPI_Query_thread");
  if (level < MPI_THREAD_FUNNELED)
    throw Error(
        "MPI was initialised at thread level MPI_THREAD_SINGLE, and hemotwin runs OpenMP threads "
        "beside MPI: initialise it with MPI_Init_thread and MPI_THREAD_FUNNELED or above (mpi4py: "
        "set mpi4py.rc.thread_level = \"funneled\" before importing mpi4py.MPI; its default, "
        "\"multiple\", also works)");
  check(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  MPI_Comm node;
  check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node),
        "MPI_Comm_split_type");
  MPI_Comm_rank(node, &node_rank_);
  MPI_Comm_size(node, &node_size_);
  MPI_Comm_free(&node);
  cuda_aware_ = cuda_aware();
}

MpiCommunicator::~MpiCommunicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (!pending_.empty()) MPI_Waitall(int(pending_.size()), pending_.data(), MPI_STATUSES_IGNORE);
  MPI_Comm_free(&comm_);
}

void MpiCommunicator::sum(std::span<double> v) {
  check(MPI_Allreduce(MPI_IN_PLACE, v.data(), int(v.size()), MPI_DOUBLE, MPI_SUM, comm_),
        "MPI_Allreduce (sum)");
}

void MpiCommunicator::max(std::span<double> v) {
  check(MPI_Allreduce(MPI_IN_PLACE, v.data(), int(v.size()), MPI_DOUBLE, MPI_MAX, comm_),
        "MPI_Allreduce (max)");
}

void MpiCommunicator::min(std::span<std::int64_t> v) {
  check(MPI_Allreduce(MPI_IN_PLACE, v.data(), int(v.size()), MPI_INT64_T, MPI_MIN, comm_),
        "MPI_Allreduce (min)");
}

void MpiCommunicator::sum(std::span<std::uint64_t> v) {
  check(MPI_Allreduce(MPI_IN_PLACE, v.data(), int(v.size()), MPI_UINT64_T, MPI_SUM, comm_),
        "MPI_Allreduce (sum of fingerprints)");
}

void MpiCommunicator::start_exchange(std::span<const int> peers,
                                     std::span<const std::span<const std::byte>> send,
                                     std::span<const std::span<std::byte>> recv, bool device) {
  if (device && !cuda_aware_)
    throw Error("internal: device buffers handed to an MPI library that is not CUDA-aware");
  if (!pending_.empty()) throw Error("internal: a halo exchange started before the last finished");
  pending_.resize(2 * peers.size());
  for (std::size_t k = 0; k < peers.size(); ++k)
    check(MPI_Irecv(recv[k].data(), count_of(recv[k].size(), "a halo"), MPI_BYTE, peers[k],
                    kHaloTag, comm_, &pending_[k]),
          "MPI_Irecv (halo)");
  for (std::size_t k = 0; k < peers.size(); ++k)
    check(MPI_Isend(send[k].data(), count_of(send[k].size(), "a halo"), MPI_BYTE, peers[k],
                    kHaloTag, comm_, &pending_[peers.size() + k]),
          "MPI_Isend (halo)");
}

void MpiCommunicator::finish_exchange() {
  if (pending_.empty()) return;
  const int code = MPI_Waitall(int(pending_.size()), pending_.data(), MPI_STATUSES_IGNORE);
  pending_.clear();
  check(code, "MPI_Waitall (halo)");
}

std::vector<std::vector<std::byte>> MpiCommunicator::gather(std::span<const std::byte> mine,
                                                            int root) {
  long long n = (long long)mine.size();
  std::vector<long long> sizes(rank_ == root ? std::size_t(size_) : 0);
  check(MPI_Gather(&n, 1, MPI_LONG_LONG, sizes.data(), 1, MPI_LONG_LONG, root, comm_),
        "MPI_Gather (sizes)");
  std::vector<std::vector<std::byte>> out;
  if (rank_ == root) {
    out.resize(std::size_t(size_));
    out[std::size_t(root)].assign(mine.begin(), mine.end());
    for (int r = 0; r < size_; ++r) {
      if (r == root) continue;
      out[std::size_t(r)].resize(std::size_t(sizes[std::size_t(r)]));
      check(MPI_Recv(out[std::size_t(r)].data(),
                     count_of(out[std::size_t(r)].size(), "a gathered part"), MPI_BYTE, r,
                     kHaloTag + 1, comm_, MPI_STATUS_IGNORE),
            "MPI_Recv (gather)");
    }
  } else {
    check(MPI_Send(mine.data(), count_of(mine.size(), "a gathered part"), MPI_BYTE, root,
                   kHaloTag + 1, comm_),
          "MPI_Send (gather)");
  }
  return out;
}

void MpiCommunicator::broadcast(std::vector<std::byte>& bytes, int root) {
  long long n = (long long)bytes.size();
  check(MPI_Bcast(&n, 1, MPI_LONG_LONG, root, comm_), "MPI_Bcast (size)");
  bytes.resize(std::size_t(n));
  check(MPI_Bcast(bytes.data(), count_of(bytes.size(), "a broadcast"), MPI_BYTE, root, comm_),
        "MPI_Bcast");
}

void MpiCommunicator::barrier() { check(MPI_Barrier(comm_), "MPI_Barrier"); }

}  // namespace hemotwin::parallel
