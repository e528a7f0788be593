// Resolves the config's optimization profiles against the network's inputs and checks that every
// layer has valid shapes at each profile's min, opt and max.
#include "builder/profiles.h"

namespace kiln::builder {

namespace {

std::string input_list(const ir::Graph& graph) {
  std::string s;
  for (int32_t t : graph.inputs) s += (s.empty() ? "" : ", ") + graph.tensors[t].name;
  return s;
}

}  // namespace

std::vector<std::vector<ProfileDims>> resolve_profiles(const ir::Graph& graph,
                                                       const BuilderConfig& config) {
  std::vector<std::vector<ProfileDims>> result;
  if (config.num_optimization_profiles() == 0) {
    std::vector<ProfileDims> fixed;
    for (int32_t t : graph.inputs) {
      const ir::Tensor& in = graph.tensors[t];
      if (in.dims.is_dynamic()) {
        fail("input '", in.name, "' has dynamic dimensions ", in.dims,
             "; add an optimization profile that sets its min/opt/max shapes");
      }
      fixed.push_back({in.dims, in.dims, in.dims});
    }
    result.push_back(fixed);
    return result;
  }
  for (int32_t p = 0; p < config.num_optimization_profiles(); ++p) {
    const OptimizationProfile& profile = config.optimization_profile(p);
    for (const OptimizationProfile::Entry& e : profile.entries()) {
      int32_t t = graph.find_tensor(e.name);
      bool is_input = false;
      for (int32_t i : graph.inputs) is_input |= (i == t);
      if (!is_input) {
        fail("optimization profile ", p, " sets a shape for '", e.name,
             "', which is not a network input (inputs: ", input_list(graph), ")");
      }
    }
    std::vector<ProfileDims> ranges;
    for (int32_t t : graph.inputs) {
      const ir::Tensor& in = graph.tensors[t];
      if (!profile.has_shape(in.name)) {
        if (in.dims.is_dynamic()) {
          fail("optimization profile ", p, " gives no shape for input '", in.name,
               "', which has dynamic dimensions ", in.dims);
        }
        ranges.push_back({in.dims, in.dims, in.dims});
        continue;
      }
      ProfileDims r = profile.get_shape(in.name);
      if (r.min.nb_dims != in.dims.nb_dims) {
        fail("optimization profile ", p, " gives input '", in.name, "' rank ", r.min.nb_dims,
             " shapes, but the network declares ", in.dims, " (rank ", in.dims.nb_dims, ")");
      }
      for (int32_t d = 0; d < in.dims.nb_dims; ++d) {
        if (in.dims.d[d] >= 0 && (r.min.d[d] != in.dims.d[d] || r.max.d[d] != in.dims.d[d])) {
          fail("optimization profile ", p, " gives dimension ", d, " of input '", in.name,
               "' the range ", r.min.d[d], "..", r.max.d[d], ", but the network declares it ",
               in.dims.d[d]);
        }
      }
      ranges.push_back(r);
    }
    result.push_back(ranges);
  }
  return result;
}

ir::Graph with_input_dims(const ir::Graph& graph, const std::vector<Dims>& dims,
                          const std::string& what) {
  ir::Graph g = graph;
  for (size_t i = 0; i < g.inputs.size(); ++i) g.tensors[g.inputs[i]].dims = dims[i];
  try {
    ir::infer_graph(g);
  } catch (const Error& e) {
    fail("at ", what, ": ", e.what());
  }
  return g;
}

void check_profile_shapes(const ir::Graph& graph,
                          const std::vector<std::vector<ProfileDims>>& profiles) {
  for (size_t p = 0; p < profiles.size(); ++p) {
    const char* names[] = {"min", "opt", "max"};
    for (int which = 0; which < 3; ++which) {
      std::vector<Dims> dims;
      for (const ProfileDims& r : profiles[p])
        dims.push_back(which == 0 ? r.min : which == 1 ? r.opt : r.max);
      with_input_dims(graph, dims,
                      str_cat("optimization profile ", p, " ", names[which], " shapes"));
    }
  }
}

}  // namespace kiln::builder
