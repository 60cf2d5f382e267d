#include "hemotwin/io/ranks.hpp"

#include <cstdint>
#include <cstring>
#include <exception>
#include <span>

#include "hemotwin/core/error.hpp"

namespace hemotwin::io {

namespace {

bool split(const Communicator* comm) { return comm && comm->size() > 1; }

// A flat little byte stream: numbers and length-prefixed strings and arrays.
struct Writer {
  std::vector<std::byte> bytes;
  template <class T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    bytes.insert(bytes.end(), p, p + sizeof v);
  }
  void put(const std::string& s) {
    put(std::uint64_t(s.size()));
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    bytes.insert(bytes.end(), p, p + s.size());
  }
  void put(const std::vector<double>& v) {
    put(std::uint64_t(v.size()));
    const auto* p = reinterpret_cast<const std::byte*>(v.data());
    bytes.insert(bytes.end(), p, p + v.size() * sizeof(double));
  }
};

struct Reader {
  std::span<const std::byte> bytes;
  std::size_t at = 0;
  void take(void* to, std::size_t n) {
    if (at + n > bytes.size()) throw Error("internal: a broadcast run state is cut short");
    std::memcpy(to, bytes.data() + at, n);
    at += n;
  }
  template <class T>
  T get() {
    T v;
    take(&v, sizeof v);
    return v;
  }
  std::string text() {
    std::string s(get<std::uint64_t>(), '\0');
    take(s.data(), s.size());
    return s;
  }
  std::vector<double> numbers() {
    std::vector<double> v(get<std::uint64_t>());
    take(v.data(), v.size() * sizeof(double));
    return v;
  }
};

std::vector<std::byte> to_bytes(const std::string& s) {
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  return {p, p + s.size()};
}

std::string to_text(const std::vector<std::byte>& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

bool is_root(const Communicator* comm) { return !comm || comm->rank() == 0; }

bool any_rank(Communicator* comm, bool mine) {
  if (!split(comm)) return mine;
  double v = mine ? 1.0 : 0.0;
  comm->max(std::span<double>(&v, 1));
  return v != 0;
}

void on_root(Communicator* comm, const std::function<void()>& fn) {
  if (!split(comm)) return fn();
  std::exception_ptr failure;
  Writer w;
  if (comm->rank() == 0) {
    try {
      fn();
    } catch (const Error& e) {
      failure = std::current_exception();
      w.put(std::uint8_t(1));
      w.put(e.message());
      w.put(e.file());
      w.put(e.key());
      w.put(std::int32_t(e.line()));
    } catch (const std::exception& e) {
      failure = std::current_exception();
      w.put(std::uint8_t(1));
      w.put(std::string(e.what()));
      for (int i = 0; i < 2; ++i) w.put(std::string());
      w.put(std::int32_t(0));
    }
    if (!failure) w.put(std::uint8_t(0));
  }
  comm->broadcast(w.bytes, 0);
  if (failure) std::rethrow_exception(failure);
  Reader r{w.bytes};
  if (r.get<std::uint8_t>() == 0) return;
  const std::string message = r.text(), file = r.text(), key = r.text();
  const int line = r.get<std::int32_t>();
  if (file.empty() && key.empty() && line == 0) throw Error(message);
  throw Error(message, file, key, line);
}

void broadcast_text(Communicator* comm, std::string& text) {
  if (!split(comm)) return;
  std::vector<std::byte> b = to_bytes(text);
  comm->broadcast(b, 0);
  text = to_text(b);
}

std::vector<std::string> gather_text(Communicator* comm, const std::string& text) {
  if (!split(comm)) return {text};
  const std::vector<std::byte> mine = to_bytes(text);
  std::vector<std::string> out;
  for (const auto& b : comm->gather(mine, 0)) out.push_back(to_text(b));
  return out;
}

void broadcast_run_state(Communicator* comm, std::map<std::string, PartState>& states,
                         double& wall_time_s) {
  if (!split(comm)) return;
  Writer w;
  if (comm->rank() == 0) {
    w.put(wall_time_s);
    w.put(std::uint64_t(states.size()));
    for (const auto& [part, state] : states) {
      w.put(part);
      w.put(std::uint64_t(state.size()));
      for (const auto& [key, values] : state) {
        w.put(key);
        w.put(values);
      }
    }
  }
  comm->broadcast(w.bytes, 0);
  if (comm->rank() == 0) return;
  Reader r{w.bytes};
  wall_time_s = r.get<double>();
  states.clear();
  for (auto parts = r.get<std::uint64_t>(); parts > 0; --parts) {
    PartState& state = states[r.text()];
    for (auto keys = r.get<std::uint64_t>(); keys > 0; --keys) {
      std::string key = r.text();
      state[key] = r.numbers();
    }
  }
}

}  // namespace hemotwin::io
