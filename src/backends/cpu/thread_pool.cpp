#include "backends/cpu/thread_pool.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>

#include "core/error.h"

namespace kiln::cpu {

namespace {

thread_local ThreadPool* t_pool = nullptr;
thread_local bool t_inside = false;  // running a task of a split parallel_for

}  // namespace

int32_t available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int32_t n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

int32_t resolve_threads(int32_t requested, std::string* warning) {
  if (requested < 0) fail("cpu_threads must be >= 1 (or 0 for the default), got ", requested);
  const int32_t cores = available_cores();
  std::string from = "cpu_threads";
  if (requested == 0) {
    const char* env = std::getenv("KILN_CPU_THREADS");
    if (env == nullptr || *env == '\0') return cores;
    char* end = nullptr;
    long value = std::strtol(env, &end, 10);
    if (*end != '\0' || value < 1 || value > (1 << 20)) {
      fail("KILN_CPU_THREADS must be a positive integer, got '", env, "'");
    }
    requested = static_cast<int32_t>(value);
    from = "KILN_CPU_THREADS";
  }
  if (requested > cores) {
    if (warning != nullptr) {
      *warning = str_cat(from, " = ", requested, " is more than the ", cores,
                         " processor(s) this process may use; using ", cores);
    }
    return cores;
  }
  return requested;
}

struct ThreadPool::Job {
  const std::function<void(int64_t)>* fn = nullptr;
  int64_t n = 0;
  std::atomic<int64_t> next{0};
  std::mutex mutex;
  std::condition_variable finished;
  int64_t done = 0;  // under mutex
  std::exception_ptr error;
};

ThreadPool::ThreadPool(int32_t threads) {
  KILN_CHECK(threads >= 1, "a thread pool needs at least one thread, got ", threads);
  workers_.reserve(threads - 1);
  for (int32_t i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::run_tasks(Job& job) {
  const bool was_inside = t_inside;
  t_inside = true;
  for (;;) {
    int64_t i = job.next.fetch_add(1);
    if (i >= job.n) break;
    std::exception_ptr error;
    try {
      (*job.fn)(i);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(job.mutex);
    if (error && !job.error) job.error = error;
    if (++job.done == job.n) job.finished.notify_all();
  }
  t_inside = was_inside;
}

void ThreadPool::work() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
      if (stop_) return;
      job = jobs_.front();
      // Every task of the front job is taken or about to be: later jobs get the next workers.
      if (job->next.load() >= job->n) {
        jobs_.pop_front();
        continue;
      }
    }
    run_tasks(*job);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!jobs_.empty() && jobs_.front() == job) jobs_.pop_front();
  }
}

void ThreadPool::run(int64_t n, const std::function<void(int64_t)>& fn) {
  if (n <= 0) return;
  auto job = std::make_shared<Job>();
  job->fn = &fn;
  job->n = n;
  if (n > 1 && !workers_.empty()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      jobs_.push_back(job);
    }
    if (n - 1 >= static_cast<int64_t>(workers_.size())) {
      wake_.notify_all();
    } else {
      for (int64_t i = 0; i < n - 1; ++i) wake_.notify_one();
    }
  }
  run_tasks(*job);
  {
    std::unique_lock<std::mutex> lock(job->mutex);
    job->finished.wait(lock, [&] { return job->done == job->n; });
  }
  {
    // A worker may still hold the job in the queue (all tasks taken, none left to run).
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find(jobs_.begin(), jobs_.end(), job);
    if (it != jobs_.end()) jobs_.erase(it);
  }
  if (job->error) std::rethrow_exception(job->error);
}

ThreadPool* current_pool() {
  return t_pool;
}

ScopedPool::ScopedPool(ThreadPool* pool) : previous_(t_pool) {
  t_pool = pool;
}
ScopedPool::~ScopedPool() {
  t_pool = previous_;
}

int64_t parallel_chunks(int64_t n, int64_t grain) {
  if (t_pool == nullptr || t_inside || n <= 0) return 1;
  grain = std::max<int64_t>(grain, 1);
  return std::clamp<int64_t>(n / grain, 1, t_pool->size());
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const int64_t chunks = parallel_chunks(n, grain);
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  t_pool->run(chunks, [&](int64_t c) {
    int64_t begin = n * c / chunks, end = n * (c + 1) / chunks;
    if (begin < end) fn(begin, end);
  });
}

}  // namespace kiln::cpu
