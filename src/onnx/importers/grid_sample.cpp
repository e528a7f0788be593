// GridSample (opsets 16 and 20) as kiln's built-in GridSample plugin (src/plugin/grid_sample.cpp,
// CPU and CUDA kernels), which the importer registers when it meets the op, as onnx-tensorrt
// registers TensorRT's plugin library. Float16 inputs are sampled in float32.
#include "kiln/plugin.h"
#include "onnx/importers/families.h"
#include "plugin/builtin.h"

namespace kiln::onnx {

namespace {

void grid_sample(ImportContext& ctx) {
  Tensor& x = ctx.input(0);
  Tensor& grid = ctx.input(1);
  std::string mode = ctx.attr_string("mode", ctx.opset() >= 20 ? "linear" : "bilinear");
  std::string padding = ctx.attr_string("padding_mode", "zeros");
  int64_t m = mode == "linear" || mode == "bilinear" ? 0
              : mode == "nearest"                    ? 1
              : mode == "cubic" || mode == "bicubic" ? 2
                                                     : -1;
  int64_t p = padding == "zeros" ? 0 : padding == "border" ? 1 : padding == "reflection" ? 2 : -1;
  if (m < 0) ctx.invalid(str_cat("unknown mode '", mode, "'"));
  if (p < 0) ctx.invalid(str_cat("unknown padding_mode '", padding, "'"));
  int64_t align = ctx.attr_int("align_corners", 0);
  PluginRegistry& registry = get_plugin_registry();
  if (!registry.get_creator("GridSample", "1", ""))
    registry.register_creator(plugin::make_grid_sample_creator(), "");
  PluginFieldCollection fields = {PluginField("mode", std::vector<int64_t>{m}),
                                  PluginField("padding_mode", std::vector<int64_t>{p}),
                                  PluginField("align_corners", std::vector<int64_t>{align != 0})};
  std::unique_ptr<PluginV3> plugin =
      registry.create_plugin("GridSample", "1", "", ctx.base_name(), fields, PluginPhase::kBUILD);
  DataType type = x.type();
  if (type != DataType::kFLOAT && type != DataType::kHALF)
    ctx.unsupported(str_cat("GridSample of ", type, " (float32 and float16 only)"));
  Tensor* inputs[2] = {&cast(ctx, x, DataType::kFLOAT, "x_float"),
                       &cast(ctx, grid, DataType::kFLOAT, "grid_float")};
  PluginV3Layer& l = ctx.named(ctx.network().add_plugin_v3(inputs, 2, nullptr, 0, *plugin),
                               type == DataType::kFLOAT ? "" : "float");
  ctx.set_output(0, cast(ctx, *l.get_output(0), type, ""));
}

}  // namespace

void register_grid_sample(ImporterMap& m) {
  m["GridSample"] = grid_sample;
}

}  // namespace kiln::onnx
