// RNN, GRU and LSTM unrolled over a sequence length known at build time: the input projection of
// every step is one matrix multiply, each step adds its recurrent matrix multiply, gate slices,
// activations and elementwise updates. Forward, reverse and bidirectional; layouts 0 and 1;
// initial states, peepholes, clip, input_forget, linear_before_reset, and build-time
// sequence_lens (finished batch entries keep their state and output zeros).
#include <optional>

#include "onnx/importers/families.h"

namespace kiln::onnx {

namespace {

struct Act {
  ActivationType type;
  float alpha = 0, beta = 0;
};

enum class Cell { kRNN, kGRU, kLSTM };

Act parse_activation(ImportContext& ctx, const std::string& name, std::optional<float> alpha,
                     std::optional<float> beta) {
  auto a = [&](float d) { return alpha.value_or(d); };
  auto b = [&](float d) { return beta.value_or(d); };
  if (name == "Sigmoid") return {ActivationType::kSIGMOID};
  if (name == "Tanh") return {ActivationType::kTANH};
  if (name == "Relu") return {ActivationType::kRELU};
  if (name == "LeakyRelu") return {ActivationType::kLEAKY_RELU, a(0.01f)};
  if (name == "ThresholdedRelu") return {ActivationType::kTHRESHOLDED_RELU, a(1.0f)};
  if (name == "ScaledTanh") return {ActivationType::kSCALED_TANH, a(1.0f), b(1.0f)};
  if (name == "HardSigmoid") return {ActivationType::kHARD_SIGMOID, a(0.2f), b(0.5f)};
  if (name == "Elu") return {ActivationType::kELU, a(1.0f)};
  if (name == "Softsign") return {ActivationType::kSOFTSIGN};
  if (name == "Softplus") return {ActivationType::kSOFTPLUS, 1.0f, 1.0f};
  ctx.unsupported(str_cat("activation '", name, "'"));
}

class Unroller {
 public:
  Unroller(ImportContext& ctx, Cell cell) : ctx_(ctx), cell_(cell) {
    gates_ = cell == Cell::kRNN ? 1 : (cell == Cell::kGRU ? 3 : 4);
    int32_t acts = cell == Cell::kRNN ? 1 : (cell == Cell::kGRU ? 2 : 3);
    std::string dir = ctx.attr_string("direction", "forward");
    if (dir == "bidirectional") {
      dirs_ = 2;
    } else if (dir != "forward" && dir != "reverse") {
      ctx.invalid(str_cat("unknown direction '", dir, "'"));
    }
    reverse_ = dir == "reverse";
    layout_ = ctx.attr_int("layout", 0);
    if (layout_ != 0 && layout_ != 1) ctx.invalid(str_cat("layout must be 0 or 1, got ", layout_));
    clip_ = ctx.attr_float("clip", 0.0f);
    linear_before_reset_ = ctx.attr_int("linear_before_reset", 0) != 0;
    input_forget_ = ctx.attr_int("input_forget", 0) != 0;

    std::vector<std::string> names;
    if (const Attribute* a = ctx.node().find("activations")) names = a->strings;
    if (names.empty()) {
      static const char* rnn[] = {"Tanh"};
      static const char* gru[] = {"Sigmoid", "Tanh"};
      static const char* lstm[] = {"Sigmoid", "Tanh", "Tanh"};
      const char** d = cell == Cell::kRNN ? rnn : (cell == Cell::kGRU ? gru : lstm);
      for (int32_t k = 0; k < dirs_; ++k) names.insert(names.end(), d, d + acts);
    }
    if (static_cast<int32_t>(names.size()) != acts * dirs_) {
      ctx.invalid(
          str_cat("activations lists ", names.size(), " functions, expected ", acts * dirs_));
    }
    std::vector<float> alphas, betas;
    if (ctx.has_attr("activation_alpha")) alphas = ctx.attr_floats("activation_alpha");
    if (ctx.has_attr("activation_beta")) betas = ctx.attr_floats("activation_beta");
    for (size_t i = 0; i < names.size(); ++i) {
      std::optional<float> al, be;
      if (i < alphas.size()) al = alphas[i];
      if (i < betas.size()) be = betas[i];
      acts_.push_back(parse_activation(ctx, names[i], al, be));
    }
    acts_per_dir_ = acts;
  }

  void run() {
    Tensor& x = ctx_.input(0);
    Dims xd = x.dimensions();
    if (xd.nb_dims != 3) ctx_.invalid(str_cat("X must have rank 3, got ", xd));
    if (xd.is_dynamic()) ctx_.unsupported(str_cat("X with dynamic dims ", xd, " (unrolled)"));
    seq_ = layout_ == 0 ? xd.d[0] : xd.d[1];
    batch_ = layout_ == 0 ? xd.d[1] : xd.d[0];
    int64_t in = xd.d[2];
    Dims wd = ctx_.input_dims(1), rd = ctx_.input_dims(2);
    hidden_ = ctx_.attr_int("hidden_size", rd.nb_dims == 3 ? rd.d[2] : -1);
    int64_t gh = gates_ * hidden_;
    if (wd != Dims{dirs_, gh, in})
      ctx_.invalid(str_cat("W must be [", dirs_, ", ", gh, ", ", in, "], got ", wd));
    if (rd != Dims{dirs_, gh, hidden_})
      ctx_.invalid(str_cat("R must be [", dirs_, ", ", gh, ", ", hidden_, "], got ", rd));
    if (seq_ == 0) ctx_.unsupported("an empty sequence");
    read_sequence_lens();

    // Time-major input, flattened to [T * B, I] for one projection per direction.
    Tensor* xt = &x;
    if (layout_ == 1) xt = &transpose(x, {1, 0, 2}, "x_time_major");
    Tensor& x2 = reshape(ctx_, *xt, Dims{seq_ * batch_, in}, "x_2d");

    std::vector<Tensor*> ys, hs, cs;
    for (int32_t d = 0; d < dirs_; ++d) {
      std::string p = dirs_ == 2 ? str_cat("d", d, "/") : "";
      run_direction(d, p, x2, ys, hs, cs);
    }
    // Y [T, D, B, H] (layout 1: [B, T, D, H]); Y_h and Y_c [D, B, H] (layout 1: [B, D, H]).
    if (ctx_.has_output(0)) {
      Tensor& y = concat(ys, 1, "y");
      ctx_.set_output(0, layout_ == 0 ? y : transpose(y, {2, 0, 1, 3}, "y_batch_major"));
    }
    auto state_out = [&](int32_t i, std::vector<Tensor*>& v, const char* name) {
      if (!ctx_.has_output(i)) return;
      Tensor& s = concat(v, 0, name);
      ctx_.set_output(i, layout_ == 0 ? s : transpose(s, {1, 0, 2}, str_cat(name, "_batch_major")));
    };
    state_out(1, hs, "y_h");
    if (cell_ == Cell::kLSTM) state_out(2, cs, "y_c");
  }

 private:
  void read_sequence_lens() {
    if (!ctx_.has_input(4)) return;
    std::vector<int64_t> lens = to_int64s(ctx_.require_constant(4, "sequence_lens"));
    if (static_cast<int64_t>(lens.size()) != batch_)
      ctx_.invalid(str_cat("sequence_lens has ", lens.size(), " values for a batch of ", batch_));
    for (int64_t l : lens) {
      if (l < 0 || l > seq_) ctx_.invalid(str_cat("sequence length ", l, " outside 0..", seq_));
      if (l != seq_) lens_ = lens;
    }
  }

  Tensor& transpose(Tensor& t, std::vector<int32_t> perm, const std::string& suffix) {
    Permutation p;
    for (size_t i = 0; i < perm.size(); ++i) p.order[i] = perm[i];
    ShuffleLayer& s = ctx_.named(ctx_.network().add_shuffle(t), suffix);
    s.set_first_transpose(p);
    return *s.get_output(0);
  }

  Tensor& concat(std::vector<Tensor*>& v, int32_t axis, const std::string& suffix) {
    ConcatenationLayer& c = ctx_.named(
        ctx_.network().add_concatenation(v.data(), static_cast<int32_t>(v.size())), suffix);
    c.set_axis(axis);
    return *c.get_output(0);
  }

  Tensor& slice(Tensor& t, const Dims& start, const Dims& size, const std::string& suffix) {
    return *ctx_.named(ctx_.network().add_slice(t, start, size, Dims::filled(start.nb_dims, 1)),
                       suffix)
                .get_output(0);
  }

  // Columns [k * H, (k + n) * H) of a [rows, G * H] tensor.
  Tensor& gate(Tensor& t, int64_t k, int64_t n, const std::string& suffix) {
    Dims d = t.dimensions();
    return slice(t, Dims{0, k * hidden_}, Dims{d.d[0], n * hidden_}, suffix);
  }

  Tensor& add(Tensor& a, Tensor& b, const std::string& s) {
    return elementwise(ctx_, a, b, ElementWiseOperation::kSUM, s);
  }
  Tensor& mul(Tensor& a, Tensor& b, const std::string& s) {
    return elementwise(ctx_, a, b, ElementWiseOperation::kPROD, s);
  }
  Tensor& sub(Tensor& a, Tensor& b, const std::string& s) {
    return elementwise(ctx_, a, b, ElementWiseOperation::kSUB, s);
  }

  Tensor& activate(Tensor& t, const Act& a, const std::string& suffix) {
    Tensor* x = &t;
    if (clip_ > 0) {
      ActivationLayer& c =
          ctx_.named(ctx_.network().add_activation(t, ActivationType::kCLIP), suffix + "_clip");
      c.set_alpha(-clip_);
      c.set_beta(clip_);
      x = c.get_output(0);
    }
    ActivationLayer& l = ctx_.named(ctx_.network().add_activation(*x, a.type), suffix);
    l.set_alpha(a.alpha);
    l.set_beta(a.beta);
    return *l.get_output(0);
  }

  Tensor& matmul_t(Tensor& a, Tensor& b, const std::string& suffix) {
    return *ctx_.named(ctx_.network().add_matrix_multiply(a, MatrixOperation::kNONE, b,
                                                          MatrixOperation::kTRANSPOSE),
                       suffix)
                .get_output(0);
  }

  // Direction d's [rows, cols] matrix of a [D, rows, cols] input.
  Tensor& per_direction(int32_t input, int32_t d, const std::string& suffix) {
    Dims id = ctx_.input_dims(input);
    Tensor& s = slice(ctx_.input(input), Dims{d, 0, 0}, Dims{1, id.d[1], id.d[2]}, suffix + "_d");
    return reshape(ctx_, s, Dims{id.d[1], id.d[2]}, suffix);
  }

  // Initial state `input` ([D, B, H], layout 1: [B, D, H]) of direction d, or zeros.
  Tensor& initial(int32_t input, int32_t d, const std::string& suffix) {
    DataType type = ctx_.input_type(0);
    if (!ctx_.has_input(input)) {
      return ctx_.constant_tensor(
          make_value(type, {batch_, hidden_},
                     std::vector<double>(static_cast<size_t>(batch_ * hidden_), 0.0)),
          suffix);
    }
    Dims want = layout_ == 0 ? Dims{dirs_, batch_, hidden_} : Dims{batch_, dirs_, hidden_};
    if (ctx_.input_dims(input) != want) {
      ctx_.invalid(str_cat("input ", input, " must be ", want, ", got ", ctx_.input_dims(input)));
    }
    Dims start = layout_ == 0 ? Dims{d, 0, 0} : Dims{0, d, 0};
    Dims size = layout_ == 0 ? Dims{1, batch_, hidden_} : Dims{batch_, 1, hidden_};
    return reshape(ctx_, slice(ctx_.input(input), start, size, suffix + "_d"),
                   Dims{batch_, hidden_}, suffix);
  }

  // state + mask_t * (next - state): entries whose sequence ended keep their state.
  Tensor& masked(Tensor& next, Tensor& state, Tensor* mask, const std::string& s) {
    if (!mask) return next;
    return add(state, mul(*mask, sub(next, state, s + "_delta"), s + "_masked_delta"), s);
  }

  void run_direction(int32_t d, const std::string& p, Tensor& x2, std::vector<Tensor*>& ys,
                     std::vector<Tensor*>& hs, std::vector<Tensor*>& cs) {
    const Act* act = &acts_[static_cast<size_t>(d * acts_per_dir_)];
    int64_t gh = gates_ * hidden_;
    DataType type = ctx_.input_type(0);
    Tensor& w = per_direction(1, d, p + "w");
    Tensor& r = per_direction(2, d, p + "r");
    Tensor* xw = &matmul_t(x2, w, p + "x_proj");
    Tensor* rec_bias = nullptr;
    if (ctx_.has_input(3)) {
      Dims bd = ctx_.input_dims(3);
      if (bd != Dims{dirs_, 2 * gh})
        ctx_.invalid(str_cat("B must be [", dirs_, ", ", 2 * gh, "], got ", bd));
      Tensor& b = reshape(ctx_, slice(ctx_.input(3), Dims{d, 0}, Dims{1, 2 * gh}, p + "b_d"),
                          Dims{1, 2 * gh}, p + "b");
      Tensor& wb = gate(b, 0, gates_, p + "wb");
      Tensor& rb = gate(b, gates_, gates_, p + "rb");
      if (cell_ == Cell::kGRU && linear_before_reset_) {
        xw = &add(*xw, wb, p + "x_bias");
        rec_bias = &rb;
      } else {
        xw = &add(*xw, add(wb, rb, p + "bias"), p + "x_bias");
      }
    }
    Tensor& xw3 = reshape(ctx_, *xw, Dims{seq_, batch_, gh}, p + "x_proj_3d");
    Tensor* peep[3] = {nullptr, nullptr, nullptr};  // i, o, f
    if (cell_ == Cell::kLSTM && ctx_.has_input(7)) {
      Dims pd = ctx_.input_dims(7);
      if (pd != Dims{dirs_, 3 * hidden_})
        ctx_.invalid(str_cat("P must be [", dirs_, ", ", 3 * hidden_, "], got ", pd));
      Tensor& pp = reshape(ctx_, slice(ctx_.input(7), Dims{d, 0}, Dims{1, 3 * hidden_}, p + "p_d"),
                           Dims{1, 3 * hidden_}, p + "p");
      for (int32_t k = 0; k < 3; ++k) peep[k] = &gate(pp, k, 1, str_cat(p, "p", k));
    }
    Tensor* h = &initial(5, d, p + "h0");
    Tensor* c = cell_ == Cell::kLSTM ? &initial(6, d, p + "c0") : nullptr;
    bool backward = reverse_ || d == 1;
    std::vector<Tensor*> y(static_cast<size_t>(seq_));
    for (int64_t i = 0; i < seq_; ++i) {
      int64_t t = backward ? seq_ - 1 - i : i;
      std::string s = str_cat(p, "t", t, "/");
      Tensor& xs = reshape(ctx_, slice(xw3, Dims{t, 0, 0}, Dims{1, batch_, gh}, s + "x_d"),
                           Dims{batch_, gh}, s + "x");
      Tensor* mask = nullptr;
      if (!lens_.empty()) {
        std::vector<double> m(static_cast<size_t>(batch_));
        for (int64_t b = 0; b < batch_; ++b) m[static_cast<size_t>(b)] = t < lens_[b] ? 1 : 0;
        mask = &ctx_.constant_tensor(make_value(type, {batch_, 1}, m), s + "mask");
      }
      Tensor* h_next = nullptr;
      if (cell_ == Cell::kRNN) {
        h_next = &activate(add(xs, matmul_t(*h, r, s + "rec"), s + "pre"), act[0], s + "h");
      } else if (cell_ == Cell::kGRU) {
        // z and r from both projections; the candidate from r applied before or after Rh.
        Tensor& r_zr = slice(r, Dims{0, 0}, Dims{2 * hidden_, hidden_}, s + "r_zr_w");
        Tensor* rec = &matmul_t(*h, linear_before_reset_ ? r : r_zr, s + "rec");
        if (rec_bias) rec = &add(*rec, *rec_bias, s + "rec_bias");
        Tensor& zr =
            activate(add(gate(xs, 0, 2, s + "x_zr"), gate(*rec, 0, 2, s + "rec_zr"), s + "zr_pre"),
                     act[0], s + "zr");
        Tensor& z = gate(zr, 0, 1, s + "z");
        Tensor& rg = gate(zr, 1, 1, s + "r");
        Tensor* cand = nullptr;
        if (linear_before_reset_) {
          cand = &mul(rg, gate(*rec, 2, 1, s + "rec_h"), s + "reset_rec");
        } else {
          Tensor& rh_w = slice(r, Dims{2 * hidden_, 0}, Dims{hidden_, hidden_}, s + "r_h");
          cand = &matmul_t(mul(rg, *h, s + "reset_h"), rh_w, s + "reset_rec");
        }
        Tensor& hc =
            activate(add(gate(xs, 2, 1, s + "x_h"), *cand, s + "h_pre"), act[1], s + "h_cand");
        // H = (1 - z) * h~ + z * H_prev = h~ + z * (H_prev - h~)
        h_next = &add(hc, mul(z, sub(*h, hc, s + "h_diff"), s + "z_diff"), s + "h");
      } else {
        Tensor& g = add(xs, matmul_t(*h, r, s + "rec"), s + "pre");
        Tensor* gi = &gate(g, 0, 1, s + "i_pre");
        Tensor* go = &gate(g, 1, 1, s + "o_pre");
        Tensor* gf = &gate(g, 2, 1, s + "f_pre");
        Tensor& gc = gate(g, 3, 1, s + "c_pre");
        if (peep[0]) gi = &add(*gi, mul(*peep[0], *c, s + "pi_c"), s + "i_peep");
        if (peep[2]) gf = &add(*gf, mul(*peep[2], *c, s + "pf_c"), s + "f_peep");
        Tensor& i_g = activate(*gi, act[0], s + "i");
        Tensor* f_g = nullptr;
        if (input_forget_) {
          f_g = &sub(ctx_.scalar(type, 1.0, 2, s + "one"), i_g, s + "f");
        } else {
          f_g = &activate(*gf, act[0], s + "f");
        }
        Tensor& c_g = activate(gc, act[1], s + "c_cand");
        Tensor& c_next = add(mul(*f_g, *c, s + "f_c"), mul(i_g, c_g, s + "i_c"), s + "c");
        if (peep[1]) go = &add(*go, mul(*peep[1], c_next, s + "po_c"), s + "o_peep");
        Tensor& o_g = activate(*go, act[0], s + "o");
        h_next = &mul(o_g, activate(c_next, act[2], s + "c_act"), s + "h");
        c = &masked(c_next, *c, mask, s + "c_state");
      }
      h = &masked(*h_next, *h, mask, s + "h_state");
      Tensor* out = mask ? &mul(*h, *mask, s + "y_masked") : h;
      y[static_cast<size_t>(t)] = &reshape(ctx_, *out, Dims{1, 1, batch_, hidden_}, s + "y");
    }
    ys.push_back(&concat(y, 0, p + "y_steps"));
    hs.push_back(&reshape(ctx_, *h, Dims{1, batch_, hidden_}, p + "h_last"));
    if (c) cs.push_back(&reshape(ctx_, *c, Dims{1, batch_, hidden_}, p + "c_last"));
  }

  ImportContext& ctx_;
  Cell cell_;
  int64_t gates_ = 1;
  int32_t dirs_ = 1;
  bool reverse_ = false;
  int64_t layout_ = 0;
  float clip_ = 0;
  bool linear_before_reset_ = false;
  bool input_forget_ = false;
  std::vector<Act> acts_;
  int32_t acts_per_dir_ = 1;
  int64_t seq_ = 0, batch_ = 0, hidden_ = 0;
  std::vector<int64_t> lens_;  // empty: every sequence has the full length
};

}  // namespace

void register_recurrent(ImporterMap& m) {
  m["RNN"] = [](ImportContext& c) { Unroller(c, Cell::kRNN).run(); };
  m["GRU"] = [](ImportContext& c) { Unroller(c, Cell::kGRU).run(); };
  m["LSTM"] = [](ImportContext& c) { Unroller(c, Cell::kLSTM).run(); };
}

}  // namespace kiln::onnx
