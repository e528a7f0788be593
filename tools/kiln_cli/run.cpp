// The inference loop. Each "slot" is a context with its own stream (GPU) or thread (CPU), its I/O
// buffers (pinned host and device memory on the GPU) and four events: start, inputs copied, compute
// done, outputs copied. Slots are used round-robin, so with several streams the copies of one
// inference overlap the compute of another.
#include "run.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <random>
#include <thread>

#include "build.h"
#include "gpu.h"

namespace kiln::cli {

namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

uint16_t to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  int32_t exp = static_cast<int32_t>((x >> 23) & 0xFF) - 127 + 15;
  uint32_t mant = x & 0x7FFFFFu;
  if (exp <= 0) return static_cast<uint16_t>(sign);  // tiny values flush to zero
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7C00u);
  uint32_t h = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  if (mant & 0x1000u) ++h;  // round half up
  return static_cast<uint16_t>(h);
}

uint16_t to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  return static_cast<uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

// Seeded values: floats uniform in [-1, 1], integers and booleans 0 or 1 (valid indices and masks).
std::vector<uint8_t> random_values(DataType type, int64_t count, uint32_t seed) {
  std::vector<uint8_t> bytes(static_cast<size_t>(count * element_size(type)));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> real(-1.0f, 1.0f);
  for (int64_t i = 0; i < count; ++i) {
    uint8_t* p = bytes.data() + i * element_size(type);
    float f = real(gen);
    int64_t bit = gen() & 1u;
    switch (type) {
      case DataType::kFLOAT:
        std::memcpy(p, &f, 4);
        break;
      case DataType::kHALF: {
        uint16_t h = to_half(f);
        std::memcpy(p, &h, 2);
        break;
      }
      case DataType::kBF16: {
        uint16_t h = to_bf16(f);
        std::memcpy(p, &h, 2);
        break;
      }
      case DataType::kINT32: {
        int32_t v = static_cast<int32_t>(bit);
        std::memcpy(p, &v, 4);
        break;
      }
      case DataType::kINT64:
        std::memcpy(p, &bit, 8);
        break;
      default:
        *p = static_cast<uint8_t>(bit);
        break;
    }
  }
  return bytes;
}

const ShapeSpec* find_spec(const std::vector<ShapeSpec>& specs, const std::string& name) {
  for (const ShapeSpec& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

struct Buffer {
  std::string name;
  bool input = false;
  size_t bytes = 0;
  void* host = nullptr;               // pinned on the GPU
  void* device = nullptr;             // GPU only
  std::vector<uint8_t> host_storage;  // CPU engines
};

// A context with its buffers, stream and events.
class Slot {
 public:
  Slot(const Engine& engine, const Options& o, bool gpu,
       const std::vector<std::vector<uint8_t>>& input_values, bool announce)
      : gpu_(gpu), transfers_(!o.no_data_transfers) {
    context_ = engine.create_execution_context();
    if (gpu_) stream_ = gpu::stream_create();
    for (void*& e : events_) e = gpu_ ? gpu::event_create() : nullptr;
    for (const ShapeSpec& s : o.shapes) {
      if (engine.get_tensor_mode(s.name) != TensorIOMode::kINPUT) {
        std::string inputs;
        for (int32_t i = 0; i < engine.num_io_tensors(); ++i) {
          const std::string& n = engine.get_tensor_name(i);
          if (engine.get_tensor_mode(n) == TensorIOMode::kINPUT) {
            inputs += (inputs.empty() ? "" : ", ") + n;
          }
        }
        throw Error("--shapes: '" + s.name + "' is not an input of the engine (inputs: " + inputs +
                    ")");
      }
    }
    for (int32_t i = 0; i < engine.num_io_tensors(); ++i) {
      const std::string& name = engine.get_tensor_name(i);
      if (engine.get_tensor_mode(name) != TensorIOMode::kINPUT) continue;
      Dims declared = engine.get_tensor_shape(name);
      const ShapeSpec* spec = find_spec(o.shapes, name);
      Dims dims = declared;
      if (spec) {
        dims = spec->dims;
      } else if (declared.is_dynamic()) {
        dims = engine.get_tensor_profile_shape(name, 0).opt;
        if (announce) {
          std::fprintf(stderr,
                       "[run] input '%s': no --shapes given, using the profile's opt "
                       "shape %s\n",
                       name.c_str(), to_string(dims).c_str());
        }
      }
      if (spec || declared.is_dynamic()) context_->set_input_shape(name, dims);
    }
    if (!context_->all_input_dimensions_specified()) {
      throw Error("not every input shape is known; give them with --shapes");
    }
    size_t input_index = 0;
    for (int32_t i = 0; i < engine.num_io_tensors(); ++i) {
      const std::string& name = engine.get_tensor_name(i);
      Buffer b;
      b.name = name;
      b.input = engine.get_tensor_mode(name) == TensorIOMode::kINPUT;
      Dims dims = context_->get_tensor_shape(name);
      if (dims.is_dynamic()) {
        throw Error("the shape of '" + name + "' is still dynamic: " + to_string(dims));
      }
      b.bytes = static_cast<size_t>(volume(dims) * element_size(engine.get_tensor_dtype(name)));
      if (gpu_) {
        b.host = gpu::host_alloc(b.bytes);
        b.device = gpu::device_alloc(b.bytes);
        context_->set_tensor_address(name, b.device);
      } else {
        b.host_storage.assign(std::max<size_t>(b.bytes, 1), 0);
        b.host = b.host_storage.data();
        context_->set_tensor_address(name, b.host);
      }
      if (b.input) {
        const std::vector<uint8_t>& values = input_values[input_index++];
        if (values.size() != b.bytes) {
          throw Error("input '" + name + "' needs " + std::to_string(b.bytes) +
                      " bytes, its data has " + std::to_string(values.size()));
        }
        if (b.bytes) std::memcpy(b.host, values.data(), b.bytes);
        if (gpu_) {  // the device copy starts valid, also with --noDataTransfers
          gpu::copy_to_device(b.device, b.host, b.bytes, stream_);
          gpu::stream_synchronize(stream_);
        }
      }
      buffers_.push_back(std::move(b));
    }
    // Static-shape engines replay a CUDA graph unless told not to; dynamic ones when asked.
    bool dynamic = false;
    for (int32_t i = 0; i < engine.num_io_tensors(); ++i) {
      const std::string& name = engine.get_tensor_name(i);
      if (engine.get_tensor_mode(name) == TensorIOMode::kINPUT &&
          engine.get_tensor_shape(name).is_dynamic())
        dynamic = true;
    }
    if (gpu_ && !o.no_cuda_graph && (o.use_cuda_graph || !dynamic))
      context_->set_cuda_graph_mode(true);
    context_->set_nvtx(o.nvtx);
  }

  ~Slot() {
    if (gpu_ && pending_) {
      try {
        gpu::event_synchronize(events_[3]);
      } catch (...) {
      }
    }
    for (Buffer& b : buffers_) {
      if (gpu_) {
        gpu::host_free(b.host);
        gpu::device_free(b.device);
      }
    }
    for (void* e : events_) gpu::event_destroy(e);
    gpu::stream_destroy(stream_);
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  // Queues one inference (GPU) or runs it (CPU).
  void issue() {
    if (!gpu_) {
      auto t0 = Clock::now();
      context_->execute_async_v3(nullptr);
      double ms = ms_between(t0, Clock::now());
      last_ = {ms, 0.0, ms, 0.0, ms};
      pending_ = true;
      return;
    }
    gpu::event_record(events_[0], stream_);
    if (transfers_) {
      for (const Buffer& b : buffers_) {
        if (b.input && b.bytes) gpu::copy_to_device(b.device, b.host, b.bytes, stream_);
      }
    }
    gpu::event_record(events_[1], stream_);
    auto t0 = Clock::now();
    context_->execute_async_v3(stream_);
    last_.enqueue_ms = ms_between(t0, Clock::now());
    gpu::event_record(events_[2], stream_);
    if (transfers_) {
      for (const Buffer& b : buffers_) {
        if (!b.input && b.bytes) gpu::copy_to_host(b.host, b.device, b.bytes, stream_);
      }
    }
    gpu::event_record(events_[3], stream_);
    pending_ = true;
  }

  bool pending() const { return pending_; }

  // Waits for the queued inference and returns its times.
  InferenceTiming collect() {
    pending_ = false;
    if (!gpu_) return last_;
    gpu::event_synchronize(events_[3]);
    last_.h2d_ms = gpu::event_elapsed_ms(events_[0], events_[1]);
    last_.compute_ms = gpu::event_elapsed_ms(events_[1], events_[2]);
    last_.d2h_ms = gpu::event_elapsed_ms(events_[2], events_[3]);
    last_.latency_ms = gpu::event_elapsed_ms(events_[0], events_[3]);
    return last_;
  }

  ExecutionContext& context() { return *context_; }
  void* stream() const { return stream_; }

 private:
  bool gpu_, transfers_;
  std::unique_ptr<ExecutionContext> context_;
  void* stream_ = nullptr;
  void* events_[4] = {};
  std::vector<Buffer> buffers_;
  InferenceTiming last_;
  bool pending_ = false;
};

// Every input's values at its run shape: random (seeded) or from --loadInputs.
std::vector<std::vector<uint8_t>> input_values(const Engine& engine, const Options& o) {
  auto probe = engine.create_execution_context();
  for (const ShapeSpec& s : o.shapes) {
    if (engine.get_tensor_mode(s.name) == TensorIOMode::kINPUT)
      probe->set_input_shape(s.name, s.dims);
  }
  for (const auto& [name, file] : o.load_inputs) {
    if (engine.get_tensor_mode(name) != TensorIOMode::kINPUT) {
      throw Error("--loadInputs: '" + name + "' is not an input of the engine");
    }
  }
  std::vector<std::vector<uint8_t>> values;
  uint32_t seed = o.seed;
  for (int32_t i = 0; i < engine.num_io_tensors(); ++i) {
    const std::string& name = engine.get_tensor_name(i);
    if (engine.get_tensor_mode(name) != TensorIOMode::kINPUT) continue;
    Dims dims = engine.get_tensor_shape(name);
    if (const ShapeSpec* spec = find_spec(o.shapes, name)) {
      dims = spec->dims;
    } else if (dims.is_dynamic()) {
      dims = engine.get_tensor_profile_shape(name, 0).opt;
    }
    DataType type = engine.get_tensor_dtype(name);
    int64_t count = volume(dims);
    std::string file;
    for (const auto& [n, f] : o.load_inputs) {
      if (n == name) file = f;
    }
    if (file.empty()) {
      values.push_back(random_values(type, count, seed++));
      continue;
    }
    std::vector<uint8_t> bytes = read_file(file, "input file");
    int64_t need = count * element_size(type);
    if (static_cast<int64_t>(bytes.size()) != need) {
      throw Error("--loadInputs: '" + file + "' has " + std::to_string(bytes.size()) +
                  " bytes; input '" + name + "' (" + to_string(type) + " " + to_string(dims) +
                  ") needs " + std::to_string(need));
    }
    values.push_back(std::move(bytes));
  }
  return values;
}

bool engine_on_gpu(const Engine& engine) {
  return engine.device_type() == DeviceType::kGPU;
}

}  // namespace

std::unique_ptr<Engine> load_engine(const std::vector<uint8_t>& plan, const Options& o,
                                    Logger& logger) {
  Runtime runtime(logger);
  runtime.set_cpu_threads(o.cpu_threads);
  std::unique_ptr<Engine> engine = runtime.deserialize_cuda_engine(plan.data(), plan.size());
  if (!engine) throw Error("the plan did not load");
  if (o.device_set && engine->device_type() != o.device) {
    throw Error(std::string("--device=") + (o.device == DeviceType::kCPU ? "cpu" : "gpu") +
                " was given, but the plan is a " +
                (engine->device_type() == DeviceType::kCPU ? "CPU" : "GPU") + " engine");
  }
  return engine;
}

RunResult run_inference(const Engine& engine, const Options& o, int32_t streams) {
  const bool gpu = engine_on_gpu(engine);
  std::vector<std::vector<uint8_t>> values = input_values(engine, o);
  std::vector<std::unique_ptr<Slot>> slots;
  for (int32_t i = 0; i < streams; ++i) {
    slots.push_back(std::make_unique<Slot>(engine, o, gpu, values, i == 0 && streams == 1));
  }
  RunResult result;
  result.streams = streams;
  result.gpu = gpu;
  result.data_transfers = gpu && !o.no_data_transfers;

  auto run_slot = [&](Slot& slot, std::atomic<int64_t>& issued, Clock::time_point start,
                      double min_ms, int64_t min_count, std::vector<InferenceTiming>* out) {
    // CPU: one thread per slot, each running inferences until both limits are reached.
    while (true) {
      int64_t n = issued.fetch_add(1);
      if (n >= min_count && ms_between(start, Clock::now()) >= min_ms) break;
      slot.issue();
      InferenceTiming t = slot.collect();
      if (out) out->push_back(t);
    }
  };

  // Warm-up: at least one inference per slot, for --warmUp milliseconds.
  if (gpu) {
    auto start = Clock::now();
    size_t i = 0;
    while (i < slots.size() || ms_between(start, Clock::now()) < o.warm_up_ms) {
      Slot& s = *slots[i++ % slots.size()];
      if (s.pending()) s.collect();
      s.issue();
    }
    for (auto& s : slots) {
      if (s->pending()) s->collect();
    }
  } else {
    std::atomic<int64_t> issued{0};
    std::vector<std::exception_ptr> failures(slots.size());
    std::vector<std::thread> threads;
    auto start = Clock::now();
    for (size_t i = 0; i < slots.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          run_slot(*slots[i], issued, start, o.warm_up_ms, static_cast<int64_t>(slots.size()),
                   nullptr);
        } catch (...) {
          failures[i] = std::current_exception();
          issued = INT64_MAX / 2;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    for (const std::exception_ptr& f : failures) {
      if (f) std::rethrow_exception(f);
    }
  }

  // Timed inferences: at least --iterations, for at least --duration seconds.
  const double min_ms = o.duration_s * 1000.0;
  auto start = Clock::now();
  if (gpu) {
    int64_t issued = 0;
    while (issued < o.iterations || ms_between(start, Clock::now()) < min_ms) {
      Slot& s = *slots[static_cast<size_t>(issued++ % streams)];
      if (s.pending()) result.inferences.push_back(s.collect());
      s.issue();
    }
    for (auto& s : slots) {
      if (s->pending()) result.inferences.push_back(s->collect());
    }
  } else {
    std::atomic<int64_t> issued{0};
    if (slots.size() == 1) {  // on the calling thread: no thread start inside the timed part
      run_slot(*slots[0], issued, start, min_ms, o.iterations, &result.inferences);
    }
    std::vector<std::vector<InferenceTiming>> per_thread(slots.size());
    std::vector<std::exception_ptr> failures(slots.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < slots.size() && slots.size() > 1; ++i) {
      threads.emplace_back([&, i] {
        try {
          run_slot(*slots[i], issued, start, min_ms, o.iterations, &per_thread[i]);
        } catch (...) {
          failures[i] = std::current_exception();
          issued = INT64_MAX / 2;  // the other threads stop too
        }
      });
    }
    for (std::thread& t : threads) t.join();
    for (const std::exception_ptr& f : failures) {
      if (f) std::rethrow_exception(f);
    }
    for (auto& v : per_thread) {
      result.inferences.insert(result.inferences.end(), v.begin(), v.end());
    }
  }
  result.wall_s = ms_between(start, Clock::now()) / 1000.0;
  if (result.inferences.empty()) throw Error("no inference completed");
  return result;
}

ProfileResult profile_engine(const Engine& engine, const Options& o, int32_t runs) {
  class Collector : public Profiler {
   public:
    void report_layer_time(const char* name, float ms) override {
      if (index_ == static_cast<int32_t>(result.steps.size())) result.steps.push_back({name, {}});
      StepTimes& step = result.steps[static_cast<size_t>(index_)];
      if (step.name != name) {
        throw Error(std::string("profiler: step ") + std::to_string(index_) + " was '" + step.name +
                    "' and is now '" + name + "'");
      }
      step.ms.push_back(ms);
      ++index_;
    }
    void next_run() { index_ = 0; }
    ProfileResult result;

   private:
    int32_t index_ = 0;
  };
  const bool gpu = engine_on_gpu(engine);
  Options quiet = o;
  quiet.use_cuda_graph = false;  // profiling runs eagerly anyway
  Slot slot(engine, quiet, gpu, input_values(engine, o), false);
  slot.issue();  // warm-up, unprofiled
  slot.collect();
  Collector collector;
  slot.context().set_profiler(&collector);
  for (int32_t r = 0; r < runs; ++r) {
    collector.next_run();
    slot.context().execute_async_v3(slot.stream());
  }
  slot.context().set_profiler(nullptr);
  collector.result.runs = runs;
  return collector.result;
}

}  // namespace kiln::cli
