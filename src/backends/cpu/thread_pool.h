// The CPU backend's threads: one pool per engine, shared by its contexts (docs/cpu-backend.md).
//
// Kernels do not take a pool argument: the executor installs its engine's pool for the calling
// thread (ScopedPool) and kernels split their work with parallel_for, which runs inline when no
// pool is installed (constant folding, tests) or when called from inside another parallel_for.
// Work is only ever split by output elements, never across a reduction, so results are
// bit-identical whatever the thread count.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kiln::cpu {

// The processors this process may run on (its affinity mask), at least 1.
int32_t available_cores();

// The thread count an engine gets for `requested` (0: the default, KILN_CPU_THREADS if set, else
// available_cores()). More than available_cores() is clamped to it and `warning` says so; a
// negative count, or a KILN_CPU_THREADS that is not a positive integer, throws Error.
int32_t resolve_threads(int32_t requested, std::string* warning);

class ThreadPool {
 public:
  // `threads` >= 1 in all, the caller included: threads - 1 workers are started.
  explicit ThreadPool(int32_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int32_t size() const { return static_cast<int32_t>(workers_.size()) + 1; }

  // Runs fn(i) for every i in [0, n) on the workers and the calling thread and returns when all
  // have finished. Several threads may call run at once (their tasks share the workers). The
  // first exception a task throws is rethrown here after the others have finished.
  void run(int64_t n, const std::function<void(int64_t)>& fn);

 private:
  struct Job;
  void work();
  static void run_tasks(Job& job);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> jobs_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

// The pool parallel_for uses on this thread (null: none installed).
ThreadPool* current_pool();

// Installs `pool` for the calling thread for its lifetime (null: none).
class ScopedPool {
 public:
  explicit ScopedPool(ThreadPool* pool);
  ~ScopedPool();
  ScopedPool(const ScopedPool&) = delete;
  ScopedPool& operator=(const ScopedPool&) = delete;

 private:
  ThreadPool* previous_;
};

// Splits [0, n) into at most one chunk per thread of the current pool, each at least `grain`
// long (but for the last), and runs fn(begin, end) on each; inline when there is no pool, one
// chunk, or when already inside a parallel_for.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// The least work worth handing to another thread, in elements of a pointwise pass (about 30-100
// microseconds): waking a worker costs tens of microseconds, so smaller splits lose.
inline constexpr int64_t kParallelGrain = 65536;
// The same for products, in multiply-adds.
inline constexpr int64_t kParallelMacs = int64_t{1} << 20;

// The number of chunks parallel_for(n, grain, ...) would use now (1: it would run inline).
int64_t parallel_chunks(int64_t n, int64_t grain);

}  // namespace kiln::cpu
