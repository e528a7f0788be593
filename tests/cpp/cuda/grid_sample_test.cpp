// The built-in GridSample plugin's CUDA kernel against its CPU reference: every mode and padding
// mode, both align_corners, 2-D and 3-D (cubic 2-D only), grid points inside and outside [-1, 1].
#include "core/error.h"
#include "cuda/differential.h"
#include "kiln/plugin.h"
#include "test_util.h"

namespace kiln::test {
namespace {

void add_grid_sample(NetworkDefinition& net, std::vector<Tensor*>& in, int32_t mode,
                     int32_t padding, int32_t align) {
  ASSERT_TRUE(init_kiln_plugins());
  std::unique_ptr<PluginV3> plugin = get_plugin_registry().create_plugin(
      "GridSample", "1", "", "gs",
      {PluginField("mode", std::vector<int32_t>{mode}),
       PluginField("padding_mode", std::vector<int32_t>{padding}),
       PluginField("align_corners", std::vector<int32_t>{align})},
      PluginPhase::kBUILD);
  PluginV3Layer* layer =
      net.add_plugin_v3(in.data(), static_cast<int32_t>(in.size()), nullptr, 0, *plugin);
  net.mark_output(*layer->get_output(0));
}

TEST(CudaPlugin, GridSampleMatchesCpu) {
  KILN_REQUIRE_GPU();
  for (int32_t mode : {0, 1, 2}) {
    for (int32_t padding : {0, 1, 2}) {
      for (int32_t align : {0, 1}) {
        SCOPED_TRACE(str_cat("mode ", mode, " padding ", padding, " align ", align));
        expect_gpu_matches_cpu(
            [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
              add_grid_sample(net, in, mode, padding, align);
            },
            {{"x", DataType::kFLOAT, Dims{2, 3, 7, 9}, -2, 2},
             {"grid", DataType::kFLOAT, Dims{2, 5, 6, 2}, -1.5, 1.5}},
            {Tolerance{1e-5, 1e-5}});
        if (mode == 2) continue;
        expect_gpu_matches_cpu(
            [&](NetworkDefinition& net, std::vector<Tensor*>& in) {
              add_grid_sample(net, in, mode, padding, align);
            },
            {{"x", DataType::kFLOAT, Dims{1, 2, 4, 5, 6}, -2, 2},
             {"grid", DataType::kFLOAT, Dims{1, 3, 4, 2, 3}, -1.5, 1.5}},
            {Tolerance{1e-5, 1e-5}});
      }
    }
  }
}

}  // namespace
}  // namespace kiln::test
