// kiln's TensorRT compatibility headers: ITensor, the layer interfaces and INetworkDefinition.
// Included by NvInfer.h; do not include directly.
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

namespace nvinfer1 {

class INetworkDefinition;

class ITensor {
 public:
  const char* getName() const noexcept { return tensor_->name().c_str(); }
  void setName(const char* name) noexcept {
    kilncompat::guard_void(log_, "ITensor::setName", [&] { tensor_->set_name(name); });
  }
  // Dims with nbDims = -1 when the shape cannot be inferred (the reason is logged).
  Dims getDimensions() const noexcept {
    Dims invalid;
    invalid.nbDims = -1;
    return kilncompat::guard<Dims>(log_, "ITensor::getDimensions", invalid,
                                   [&] { return kilncompat::from_kiln(tensor_->dimensions()); });
  }
  DataType getType() const noexcept { return kilncompat::from_kiln(tensor_->type()); }
  bool isNetworkInput() const noexcept { return tensor_->is_network_input(); }
  bool isNetworkOutput() const noexcept { return tensor_->is_network_output(); }
  TensorLocation getLocation() const noexcept { return TensorLocation::kDEVICE; }

  kiln::Tensor& kilnTensor() const noexcept { return *tensor_; }  // kiln extension

 private:
  friend class INetworkDefinition;
  ITensor(kiln::Tensor* tensor, kilncompat::LoggerBridge* log) : tensor_(tensor), log_(log) {}
  kiln::Tensor* tensor_;
  kilncompat::LoggerBridge* log_;
};

class ILayer {
 public:
  virtual ~ILayer() = default;
  LayerType getType() const noexcept { return kilncompat::from_kiln(layer_->type()); }
  void setName(const char* name) noexcept {
    kilncompat::guard_void(log_, "ILayer::setName", [&] { layer_->set_name(name); });
  }
  const char* getName() const noexcept { return layer_->name().c_str(); }
  int32_t getNbInputs() const noexcept { return layer_->num_inputs(); }
  ITensor* getInput(int32_t index) const noexcept;
  int32_t getNbOutputs() const noexcept { return layer_->num_outputs(); }
  ITensor* getOutput(int32_t index) const noexcept;
  void setInput(int32_t index, ITensor& tensor) noexcept {
    kilncompat::guard_void(log_, "ILayer::setInput",
                           [&] { layer_->set_input(index, tensor.kilnTensor()); });
  }
  // Per-layer precision is not applied by kiln (it chooses precisions from the builder flags);
  // these log a warning saying so and remember the request. docs/tensorrt-cpp.md.
  void setPrecision(DataType type) noexcept {
    precision_ = type;
    precision_set_ = true;
    warnNotApplied("ILayer::setPrecision");
  }
  DataType getPrecision() const noexcept { return precision_; }
  bool precisionIsSet() const noexcept { return precision_set_; }
  void resetPrecision() noexcept { precision_set_ = false; }

 protected:
  ILayer(kiln::Layer* layer, INetworkDefinition* network, kilncompat::LoggerBridge* log)
      : layer_(layer), network_(network), log_(log) {}
  void warnNotApplied(const char* api) noexcept {
    if (log_ != nullptr) {
      log_->log(kiln::Logger::Severity::kWARNING,
                std::string(api) +
                    ": kiln does not apply per-layer precision; it chooses "
                    "precisions from BuilderFlag::kFP16/kBF16 (insert addCast to "
                    "force a type)");
    }
  }
  template <typename K>
  K& as() const noexcept {
    return *static_cast<K*>(layer_);
  }
  kiln::Layer* layer_;
  INetworkDefinition* network_;
  kilncompat::LoggerBridge* log_;
  DataType precision_ = DataType::kFLOAT;
  bool precision_set_ = false;

  friend class INetworkDefinition;
};

// A setter that logs failures (the layer stays unchanged), as TensorRT's do.
#define KILN_COMPAT_SET(NAME, KILN_TYPE, CALL) \
  kilncompat::guard_void(log_, NAME, [&] { as<kiln::KILN_TYPE>().CALL; })

class IConvolutionLayer : public ILayer {
 public:
  void setStrideNd(const Dims& stride) noexcept {
    KILN_COMPAT_SET("IConvolutionLayer::setStrideNd", ConvolutionLayer,
                    set_stride_nd(kilncompat::to_kiln(stride)));
  }
  Dims getStrideNd() const noexcept {
    return kilncompat::from_kiln(as<kiln::ConvolutionLayer>().stride_nd());
  }
  void setPaddingNd(const Dims& padding) noexcept {
    KILN_COMPAT_SET("IConvolutionLayer::setPaddingNd", ConvolutionLayer,
                    set_padding_nd(kilncompat::to_kiln(padding)));
  }
  Dims getPaddingNd() const noexcept {
    return kilncompat::from_kiln(as<kiln::ConvolutionLayer>().padding_nd());
  }
  void setPrePadding(const Dims& padding) noexcept {
    KILN_COMPAT_SET("IConvolutionLayer::setPrePadding", ConvolutionLayer,
                    set_pre_padding(kilncompat::to_kiln(padding)));
  }
  void setPostPadding(const Dims& padding) noexcept {
    KILN_COMPAT_SET("IConvolutionLayer::setPostPadding", ConvolutionLayer,
                    set_post_padding(kilncompat::to_kiln(padding)));
  }
  void setDilationNd(const Dims& dilation) noexcept {
    KILN_COMPAT_SET("IConvolutionLayer::setDilationNd", ConvolutionLayer,
                    set_dilation_nd(kilncompat::to_kiln(dilation)));
  }
  Dims getDilationNd() const noexcept {
    return kilncompat::from_kiln(as<kiln::ConvolutionLayer>().dilation_nd());
  }
  void setNbGroups(int64_t groups) noexcept {
    KILN_COMPAT_SET("IConvolutionLayer::setNbGroups", ConvolutionLayer, set_num_groups(groups));
  }
  int64_t getNbGroups() const noexcept { return as<kiln::ConvolutionLayer>().num_groups(); }
  int64_t getNbOutputMaps() const noexcept {
    return as<kiln::ConvolutionLayer>().num_output_maps();
  }
  Dims getKernelSizeNd() const noexcept {
    return kilncompat::from_kiln(as<kiln::ConvolutionLayer>().kernel_size_nd());
  }
  void setKernelWeights(Weights weights) noexcept {
    KILN_COMPAT_SET("IConvolutionLayer::setKernelWeights", ConvolutionLayer,
                    set_kernel_weights(kilncompat::to_kiln(weights)));
  }
  void setBiasWeights(Weights weights) noexcept {
    KILN_COMPAT_SET("IConvolutionLayer::setBiasWeights", ConvolutionLayer,
                    set_bias_weights(kilncompat::to_kiln(weights)));
  }

 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class IPoolingLayer : public ILayer {
 public:
  void setPoolingType(PoolingType type) noexcept {
    KILN_COMPAT_SET("IPoolingLayer::setPoolingType", PoolingLayer, set_pooling_type(type));
  }
  PoolingType getPoolingType() const noexcept { return as<kiln::PoolingLayer>().pooling_type(); }
  void setWindowSizeNd(const Dims& window) noexcept {
    KILN_COMPAT_SET("IPoolingLayer::setWindowSizeNd", PoolingLayer,
                    set_window_size_nd(kilncompat::to_kiln(window)));
  }
  Dims getWindowSizeNd() const noexcept {
    return kilncompat::from_kiln(as<kiln::PoolingLayer>().window_size_nd());
  }
  void setStrideNd(const Dims& stride) noexcept {
    KILN_COMPAT_SET("IPoolingLayer::setStrideNd", PoolingLayer,
                    set_stride_nd(kilncompat::to_kiln(stride)));
  }
  Dims getStrideNd() const noexcept {
    return kilncompat::from_kiln(as<kiln::PoolingLayer>().stride_nd());
  }
  void setPaddingNd(const Dims& padding) noexcept {
    KILN_COMPAT_SET("IPoolingLayer::setPaddingNd", PoolingLayer,
                    set_padding_nd(kilncompat::to_kiln(padding)));
  }
  Dims getPaddingNd() const noexcept {
    return kilncompat::from_kiln(as<kiln::PoolingLayer>().padding_nd());
  }
  void setAverageCountExcludesPadding(bool exclusive) noexcept {
    KILN_COMPAT_SET("IPoolingLayer::setAverageCountExcludesPadding", PoolingLayer,
                    set_average_count_excludes_padding(exclusive));
  }

 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class IActivationLayer : public ILayer {
 public:
  void setActivationType(ActivationType type) noexcept {
    KILN_COMPAT_SET("IActivationLayer::setActivationType", ActivationLayer,
                    set_activation_type(kilncompat::to_kiln(type)));
  }
  ActivationType getActivationType() const noexcept {
    return kilncompat::from_kiln(as<kiln::ActivationLayer>().activation_type());
  }
  void setAlpha(float alpha) noexcept {
    KILN_COMPAT_SET("IActivationLayer::setAlpha", ActivationLayer, set_alpha(alpha));
  }
  void setBeta(float beta) noexcept {
    KILN_COMPAT_SET("IActivationLayer::setBeta", ActivationLayer, set_beta(beta));
  }
  float getAlpha() const noexcept { return as<kiln::ActivationLayer>().alpha(); }
  float getBeta() const noexcept { return as<kiln::ActivationLayer>().beta(); }

 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class IElementWiseLayer : public ILayer {
 public:
  void setOperation(ElementWiseOperation op) noexcept {
    KILN_COMPAT_SET("IElementWiseLayer::setOperation", ElementWiseLayer, set_operation(op));
  }
  ElementWiseOperation getOperation() const noexcept {
    return as<kiln::ElementWiseLayer>().operation();
  }

 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class IUnaryLayer : public ILayer {
 public:
  void setOperation(UnaryOperation op) noexcept {
    KILN_COMPAT_SET("IUnaryLayer::setOperation", UnaryLayer,
                    set_operation(kilncompat::to_kiln(op)));
  }

 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class IMatrixMultiplyLayer : public ILayer {
 public:
  void setOperation(int32_t index, MatrixOperation op) noexcept {
    KILN_COMPAT_SET("IMatrixMultiplyLayer::setOperation", MatrixMultiplyLayer,
                    set_operation(index, op));
  }
  MatrixOperation getOperation(int32_t index) const noexcept {
    return kilncompat::guard<MatrixOperation>(
        log_, "IMatrixMultiplyLayer::getOperation", MatrixOperation::kNONE,
        [&] { return as<kiln::MatrixMultiplyLayer>().operation(index); });
  }

 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class IConstantLayer : public ILayer {
 public:
  void setWeights(Weights weights) noexcept {
    KILN_COMPAT_SET("IConstantLayer::setWeights", ConstantLayer,
                    set_weights(kilncompat::to_kiln(weights)));
  }
  void setDimensions(const Dims& dims) noexcept {
    KILN_COMPAT_SET("IConstantLayer::setDimensions", ConstantLayer,
                    set_dimensions(kilncompat::to_kiln(dims)));
  }
  Dims getDimensions() const noexcept {
    return kilncompat::from_kiln(as<kiln::ConstantLayer>().dimensions());
  }

 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class IShuffleLayer : public ILayer {
 public:
  void setFirstTranspose(const Permutation& permutation) noexcept {
    KILN_COMPAT_SET("IShuffleLayer::setFirstTranspose", ShuffleLayer,
                    set_first_transpose(to_kiln(permutation)));
  }
  void setSecondTranspose(const Permutation& permutation) noexcept {
    KILN_COMPAT_SET("IShuffleLayer::setSecondTranspose", ShuffleLayer,
                    set_second_transpose(to_kiln(permutation)));
  }
  void setReshapeDimensions(const Dims& dims) noexcept {
    KILN_COMPAT_SET("IShuffleLayer::setReshapeDimensions", ShuffleLayer,
                    set_reshape_dimensions(kilncompat::to_kiln(dims)));
  }
  Dims getReshapeDimensions() const noexcept {
    return kilncompat::from_kiln(as<kiln::ShuffleLayer>().reshape_dimensions());
  }
  void setZeroIsPlaceholder(bool placeholder) noexcept {
    KILN_COMPAT_SET("IShuffleLayer::setZeroIsPlaceholder", ShuffleLayer,
                    set_zero_is_placeholder(placeholder));
  }

 private:
  static kiln::Permutation to_kiln(const Permutation& permutation) {
    kiln::Permutation out;
    for (int32_t i = 0; i < Dims::MAX_DIMS; ++i) out.order[i] = permutation.order[i];
    return out;
  }
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class ISoftMaxLayer : public ILayer {
 public:
  void setAxes(uint32_t axes) noexcept {
    KILN_COMPAT_SET("ISoftMaxLayer::setAxes", SoftMaxLayer, set_axes(axes));
  }
  uint32_t getAxes() const noexcept { return as<kiln::SoftMaxLayer>().axes(); }

 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class IReduceLayer : public ILayer {
 public:
  void setOperation(ReduceOperation op) noexcept {
    KILN_COMPAT_SET("IReduceLayer::setOperation", ReduceLayer, set_operation(op));
  }
  void setReduceAxes(uint32_t axes) noexcept {
    KILN_COMPAT_SET("IReduceLayer::setReduceAxes", ReduceLayer, set_reduce_axes(axes));
  }
  void setKeepDimensions(bool keep) noexcept {
    KILN_COMPAT_SET("IReduceLayer::setKeepDimensions", ReduceLayer, set_keep_dimensions(keep));
  }

 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class IConcatenationLayer : public ILayer {
 public:
  void setAxis(int32_t axis) noexcept {
    KILN_COMPAT_SET("IConcatenationLayer::setAxis", ConcatenationLayer, set_axis(axis));
  }
  int32_t getAxis() const noexcept { return as<kiln::ConcatenationLayer>().axis(); }

 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class ITopKLayer : public ILayer {
 public:
  void setK(int32_t k) noexcept { KILN_COMPAT_SET("ITopKLayer::setK", TopKLayer, set_k(k)); }
  int32_t getK() const noexcept { return as<kiln::TopKLayer>().k(); }

 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class IIdentityLayer : public ILayer {
 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

class ICastLayer : public ILayer {
 public:
  void setToType(DataType type) noexcept {
    KILN_COMPAT_SET("ICastLayer::setToType", CastLayer, set_to_type(kilncompat::to_kiln(type)));
  }
  DataType getToType() const noexcept {
    return kilncompat::from_kiln(as<kiln::CastLayer>().to_type());
  }

 private:
  using ILayer::ILayer;
  friend class INetworkDefinition;
};

#undef KILN_COMPAT_SET

class INetworkDefinition {
 public:
  virtual ~INetworkDefinition() = default;

  ITensor* addInput(const char* name, DataType type, const Dims& dims) noexcept {
    return kilncompat::guard<ITensor*>(log_.get(), "INetworkDefinition::addInput", nullptr, [&] {
      return wrap(def_->add_input(name, kilncompat::to_kiln(type), kilncompat::to_kiln(dims)));
    });
  }
  void markOutput(ITensor& tensor) noexcept {
    kilncompat::guard_void(log_.get(), "INetworkDefinition::markOutput",
                           [&] { def_->mark_output(tensor.kilnTensor()); });
  }
  void unmarkOutput(ITensor& tensor) noexcept {
    kilncompat::guard_void(log_.get(), "INetworkDefinition::unmarkOutput",
                           [&] { def_->unmark_output(tensor.kilnTensor()); });
  }

  IConvolutionLayer* addConvolutionNd(ITensor& input, int64_t nbOutputMaps, const Dims& kernelSize,
                                      Weights kernelWeights, Weights biasWeights) noexcept {
    return add<IConvolutionLayer>("addConvolutionNd", [&] {
      kiln::Weights bias;
      if (biasWeights.count > 0) bias = kilncompat::to_kiln(biasWeights);
      return def_->add_convolution_nd(input.kilnTensor(), nbOutputMaps,
                                      kilncompat::to_kiln(kernelSize),
                                      kilncompat::to_kiln(kernelWeights), bias);
    });
  }
  IPoolingLayer* addPoolingNd(ITensor& input, PoolingType type, const Dims& windowSize) noexcept {
    return add<IPoolingLayer>("addPoolingNd", [&] {
      return def_->add_pooling_nd(input.kilnTensor(), type, kilncompat::to_kiln(windowSize));
    });
  }
  IActivationLayer* addActivation(ITensor& input, ActivationType type) noexcept {
    return add<IActivationLayer>("addActivation", [&] {
      return def_->add_activation(input.kilnTensor(), kilncompat::to_kiln(type));
    });
  }
  IElementWiseLayer* addElementWise(ITensor& input1, ITensor& input2,
                                    ElementWiseOperation op) noexcept {
    return add<IElementWiseLayer>("addElementWise", [&] {
      return def_->add_elementwise(input1.kilnTensor(), input2.kilnTensor(), op);
    });
  }
  IUnaryLayer* addUnary(ITensor& input, UnaryOperation op) noexcept {
    return add<IUnaryLayer>(
        "addUnary", [&] { return def_->add_unary(input.kilnTensor(), kilncompat::to_kiln(op)); });
  }
  IMatrixMultiplyLayer* addMatrixMultiply(ITensor& input0, MatrixOperation op0, ITensor& input1,
                                          MatrixOperation op1) noexcept {
    return add<IMatrixMultiplyLayer>("addMatrixMultiply", [&] {
      return def_->add_matrix_multiply(input0.kilnTensor(), op0, input1.kilnTensor(), op1);
    });
  }
  IConstantLayer* addConstant(const Dims& dimensions, Weights weights) noexcept {
    return add<IConstantLayer>("addConstant", [&] {
      return def_->add_constant(kilncompat::to_kiln(dimensions), kilncompat::to_kiln(weights));
    });
  }
  IShuffleLayer* addShuffle(ITensor& input) noexcept {
    return add<IShuffleLayer>("addShuffle", [&] { return def_->add_shuffle(input.kilnTensor()); });
  }
  ISoftMaxLayer* addSoftMax(ITensor& input) noexcept {
    return add<ISoftMaxLayer>("addSoftMax", [&] { return def_->add_softmax(input.kilnTensor()); });
  }
  IReduceLayer* addReduce(ITensor& input, ReduceOperation op, uint32_t reduceAxes,
                          bool keepDimensions) noexcept {
    return add<IReduceLayer>("addReduce", [&] {
      return def_->add_reduce(input.kilnTensor(), op, reduceAxes, keepDimensions);
    });
  }
  IConcatenationLayer* addConcatenation(ITensor* const* inputs, int32_t nbInputs) noexcept {
    return add<IConcatenationLayer>("addConcatenation", [&] {
      std::vector<kiln::Tensor*> tensors;
      for (int32_t i = 0; i < nbInputs; ++i) tensors.push_back(&inputs[i]->kilnTensor());
      return def_->add_concatenation(tensors.data(), nbInputs);
    });
  }
  ITopKLayer* addTopK(ITensor& input, TopKOperation op, int32_t k, uint32_t reduceAxes) noexcept {
    return add<ITopKLayer>("addTopK",
                           [&] { return def_->add_topk(input.kilnTensor(), op, k, reduceAxes); });
  }
  IIdentityLayer* addIdentity(ITensor& input) noexcept {
    return add<IIdentityLayer>("addIdentity",
                               [&] { return def_->add_identity(input.kilnTensor()); });
  }
  ICastLayer* addCast(ITensor& input, DataType toType) noexcept {
    return add<ICastLayer>(
        "addCast", [&] { return def_->add_cast(input.kilnTensor(), kilncompat::to_kiln(toType)); });
  }

  int32_t getNbInputs() const noexcept { return def_->num_inputs(); }
  ITensor* getInput(int32_t index) const noexcept {
    if (index < 0 || index >= def_->num_inputs()) return nullptr;
    return wrap(def_->get_input(index));
  }
  int32_t getNbOutputs() const noexcept { return def_->num_outputs(); }
  ITensor* getOutput(int32_t index) const noexcept {
    if (index < 0 || index >= def_->num_outputs()) return nullptr;
    return wrap(def_->get_output(index));
  }
  int32_t getNbLayers() const noexcept { return def_->num_layers(); }
  // The layer's interface: getType() says which one to static_cast to, as in TensorRT.
  ILayer* getLayer(int32_t index) const noexcept {
    if (index < 0 || index >= def_->num_layers()) return nullptr;
    return kilncompat::guard<ILayer*>(log_.get(), "INetworkDefinition::getLayer", nullptr,
                                      [&] { return wrap(def_->get_layer(index)); });
  }
  void setName(const char* name) noexcept { name_ = name; }
  const char* getName() const noexcept { return name_.c_str(); }
  bool getFlag(NetworkDefinitionCreationFlag flag) const noexcept {
    return (flags_ >> static_cast<int32_t>(flag)) & 1u;
  }
  bool hasImplicitBatchDimension() const noexcept { return false; }

  kiln::NetworkDefinition& kilnNetwork() const noexcept { return *def_; }  // kiln extension

  // Made by IBuilder::createNetworkV2.
  INetworkDefinition(std::unique_ptr<kiln::NetworkDefinition> def,
                     std::shared_ptr<kilncompat::LoggerBridge> log, uint32_t flags)
      : def_(std::move(def)), log_(std::move(log)), flags_(flags | 1u) {}

 private:
  friend class ILayer;

  template <typename Interface, typename F>
  Interface* add(const char* api, F&& call) noexcept {
    std::string name = std::string("INetworkDefinition::") + api;
    return kilncompat::guard<Interface*>(log_.get(), name.c_str(), nullptr,
                                         [&] { return static_cast<Interface*>(wrap(call())); });
  }

  ITensor* wrap(kiln::Tensor* tensor) const {
    if (tensor == nullptr) return nullptr;
    auto& slot = tensors_[tensor];
    if (!slot) slot.reset(new ITensor(tensor, log_.get()));
    return slot.get();
  }

  ILayer* wrap(kiln::Layer* layer) const {
    if (layer == nullptr) return nullptr;
    auto& slot = layers_[layer];
    if (!slot) slot.reset(make_interface(layer));
    return slot.get();
  }

  ILayer* make_interface(kiln::Layer* layer) const {
    auto* self = const_cast<INetworkDefinition*>(this);
    kilncompat::LoggerBridge* log = log_.get();
    switch (layer->type()) {
      case kiln::LayerType::kCONVOLUTION:
        return new IConvolutionLayer(layer, self, log);
      case kiln::LayerType::kPOOLING:
        return new IPoolingLayer(layer, self, log);
      case kiln::LayerType::kACTIVATION:
        return new IActivationLayer(layer, self, log);
      case kiln::LayerType::kELEMENTWISE:
        return new IElementWiseLayer(layer, self, log);
      case kiln::LayerType::kUNARY:
        return new IUnaryLayer(layer, self, log);
      case kiln::LayerType::kMATRIX_MULTIPLY:
        return new IMatrixMultiplyLayer(layer, self, log);
      case kiln::LayerType::kCONSTANT:
        return new IConstantLayer(layer, self, log);
      case kiln::LayerType::kSHUFFLE:
        return new IShuffleLayer(layer, self, log);
      case kiln::LayerType::kSOFTMAX:
        return new ISoftMaxLayer(layer, self, log);
      case kiln::LayerType::kREDUCE:
        return new IReduceLayer(layer, self, log);
      case kiln::LayerType::kCONCATENATION:
        return new IConcatenationLayer(layer, self, log);
      case kiln::LayerType::kTOPK:
        return new ITopKLayer(layer, self, log);
      case kiln::LayerType::kIDENTITY:
        return new IIdentityLayer(layer, self, log);
      case kiln::LayerType::kCAST:
        return new ICastLayer(layer, self, log);
      default:
        return new ILayer(layer, self, log);  // kinds without an interface here
    }
  }

  std::unique_ptr<kiln::NetworkDefinition> def_;
  std::shared_ptr<kilncompat::LoggerBridge> log_;
  uint32_t flags_;
  std::string name_ = "Unnamed Network 0";
  mutable std::unordered_map<const kiln::Tensor*, std::unique_ptr<ITensor>> tensors_;
  mutable std::unordered_map<const kiln::Layer*, std::unique_ptr<ILayer>> layers_;
};

inline ITensor* ILayer::getInput(int32_t index) const noexcept {
  if (index < 0 || index >= layer_->num_inputs()) return nullptr;
  return network_->wrap(layer_->get_input(index));
}

inline ITensor* ILayer::getOutput(int32_t index) const noexcept {
  if (index < 0 || index >= layer_->num_outputs()) return nullptr;
  return network_->wrap(layer_->get_output(index));
}

}  // namespace nvinfer1
