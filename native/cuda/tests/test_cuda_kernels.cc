// The kernel tests against the CUDA backend: every kernel family on small, odd and broadcasting
// shapes, compared with the CPU backend (itself checked against plain reference loops in
// native/tests) and, for GEMM, with the same double-precision triple loop as native/tests.
// Without a usable GPU this prints "GPU tests not run: <reason>" and exits 0.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../../core/registry.h"
#include "../../tests/conv_reference.h"
#include "../../tests/gemm_reference.h"
#include "../../tests/harness.h"

extern "C" tsdl::Backend* tsdl_create_cuda_backend(char* why, size_t whyLen);
extern "C" int tsdl_cuda_set_precision(const char* name);
extern "C" int tsdl_cuda_graph_begin(char* why, size_t len);
extern "C" int tsdl_cuda_graph_end(char* why, size_t len);
extern "C" int tsdl_cuda_graph_replay(int id, char* why, size_t len);
extern "C" int tsdl_cuda_graph_release(int id, char* why, size_t len);

using namespace tsdl;
using tsdl::test::randomVec;

namespace {

Backend* gpu = nullptr;
Backend* cpu = nullptr;

// A buffer on one backend, filled from / read back into a host vector.
struct Buf {
  Backend* be;
  void* p;
  size_t bytes;
  Buf(Backend* b, size_t n) : be(b), p(b->alloc(n)), bytes(n) {}
  template <class T>
  Buf(Backend* b, const std::vector<T>& v) : Buf(b, v.size() * sizeof(T)) {
    if (!v.empty()) be->upload(p, v.data(), bytes);
  }
  ~Buf() { be->free(p); }
  template <class T>
  std::vector<T> read() const {
    std::vector<T> v(bytes / sizeof(T));
    if (!v.empty()) be->download(v.data(), p, bytes);
    return v;
  }
  template <class T>
  T* as() const { return static_cast<T*>(p); }
};

Shape shapeOf(std::initializer_list<int64_t> d) {
  Shape s;
  for (int64_t x : d) s.dims[s.ndim++] = x;
  return s;
}

// Runs `op` on both backends with the same inputs and compares the output vectors.
template <class T, class F>
void sameOnBoth(const char* ctx, size_t outCount, double tol, F&& op, const std::vector<T>& init = {}) {
  std::vector<T> start = init.empty() ? std::vector<T>(outCount, T(0)) : init;
  Buf og(gpu, start), oc(cpu, start);
  op(gpu, og.p);
  op(cpu, oc.p);
  auto g = og.read<T>(), c = oc.read<T>();
  CHECK_ALL_NEAR(g.data(), c.data(), outCount, tol, ctx);
}

// ---- GEMM (the reference and cases of native/tests/test_gemm.cc) ----
void compareGemm(int64_t m, int64_t n, int64_t k, bool ta, bool tb, int64_t batch = 1, float alpha = 1.f,
                 float beta = 0.f, bool bias = false, Activation act = Activation::Linear,
                 bool broadcastB = false, double tolScale = 1e-4) {
  test::GemmCase c = test::gemmCase(m, n, k, ta, tb, batch, alpha, beta, bias, act, broadcastB);
  Buf dA(gpu, c.A), dB(gpu, c.B), dBias(gpu, c.bias), dC(gpu, c.C0);
  MatmulArgs g = c.args;
  g.bias = bias ? dBias.as<float>() : nullptr;
  gpu->matmul(dA.as<float>(), dB.as<float>(), dC.as<float>(), g);
  auto got = dC.read<float>();
  CHECK_ALL_NEAR(got.data(), c.want.data(), got.size(), tolScale * std::sqrt(double(k) + 1), c.name.c_str());
}

void gemmSuite(double tolScale) {
  const int64_t shapes[][3] = {{1, 1, 1}, {7, 13, 5}, {13, 7, 5}, {6, 16, 8}, {5, 17, 300},
                               {129, 257, 33}, {37, 19, 600}, {2, 3, 1}, {1, 100, 7}, {100, 1, 7}};
  for (auto& s : shapes)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) compareGemm(s[0], s[1], s[2], ta, tb, 1, 1.f, 0.f, false, Activation::Linear, false, tolScale);
  compareGemm(128, 512, 784, false, false, 1, 1.f, 0.f, true, Activation::Relu, false, tolScale);
  compareGemm(128, 10, 512, false, false, 1, 1.f, 0.f, true, Activation::Linear, false, tolScale);
  compareGemm(784, 512, 128, true, false, 1, 1.f, 0.f, false, Activation::Linear, false, tolScale);
  compareGemm(128, 512, 10, false, true, 1, 1.f, 0.f, false, Activation::Linear, false, tolScale);
  compareGemm(33, 45, 700, true, false, 1, -2.f, 0.25f, false, Activation::Linear, false, tolScale);
  compareGemm(17, 23, 300, true, true, 1, 1.f, 0.f, true, Activation::Sigmoid, false, tolScale);
  compareGemm(17, 23, 9, false, true, 1, 1.f, 0.f, false, Activation::Tanh, false, tolScale);
  compareGemm(7, 13, 5, true, true, 4, 1.f, 0.f, false, Activation::Linear, false, tolScale);
  compareGemm(33, 20, 17, false, true, 5, 1.f, 0.f, false, Activation::Linear, true, tolScale);
  compareGemm(300, 301, 302, false, false, 1, 1.f, 0.f, false, Activation::Linear, false, tolScale);
  compareGemm(520, 260, 130, false, false, 1, 1.f, 0.f, false, Activation::Linear, false, tolScale);  // the 128×128 tile
}

}  // namespace

TEST(fp32_gemm_matches_the_triple_loop_for_every_transpose_batch_and_epilogue) {
  tsdl_cuda_set_precision("fp32");
  gemmSuite(1e-4);
  compareGemm(5, 9, 0, false, false, 1, 1.f, 2.f);  // k = 0: beta·C
}

TEST(tf32_tensor_core_gemm_matches_within_tf32_rounding) {
  tsdl_cuda_set_precision("tf32");
  gemmSuite(2e-3);
  tsdl_cuda_set_precision("fp32");
}

TEST(bf16_tensor_core_gemm_matches_within_bf16_rounding) {
  tsdl_cuda_set_precision("bf16");
  gemmSuite(1.5e-2);
  tsdl_cuda_set_precision("fp32");
}

TEST(uniform_random_numbers_are_bit_identical_to_the_cpu_backend) {
  const uint64_t seeds[] = {0, 42, 0x123456789abcULL};
  for (uint64_t seed : seeds)
    for (uint64_t off : {uint64_t(0), uint64_t(3), uint64_t(1) << 33}) {
      size_t n = 1001;
      Buf g(gpu, n * 4), c(cpu, n * 4);
      gpu->random(RandomKind::Uniform, g.as<float>(), int64_t(n), seed, off, -0.05f, 0.05f);
      cpu->random(RandomKind::Uniform, c.as<float>(), int64_t(n), seed, off, -0.05f, 0.05f);
      auto a = g.read<float>(), b = c.read<float>();
      CHECK(std::memcmp(a.data(), b.data(), n * 4) == 0);
    }
}

TEST(normal_and_truncated_normal_match_the_cpu_backend_to_an_ulp) {
  for (RandomKind k : {RandomKind::Normal, RandomKind::TruncatedNormal}) {
    size_t n = 4097;
    sameOnBoth<float>(k == RandomKind::Normal ? "normal" : "truncated normal", n, 1e-5, [&](Backend* b, void* out) {
      b->random(k, static_cast<float*>(out), int64_t(n), 7, 11, 0.5f, 2.f);
    });
  }
}

TEST(fill_and_cast_match_on_every_dtype) {
  const DType all[] = {DType::Float32, DType::Int32, DType::Uint8, DType::Bool};
  std::vector<float> src = {0.f, -1.5f, 2.7f, 300.f, -300.f, NAN, INFINITY, 1e10f, -0.f, 255.f, 256.f};
  for (DType from : all)
    for (DType to : all) {
      size_t n = src.size();
      // Source values in the `from` dtype, made by the CPU backend's own cast.
      Buf s(cpu, src);
      Buf typed(cpu, n * dtypeSize(from));
      cpu->cast(s.p, DType::Float32, typed.p, from, int64_t(n));
      auto bytes = typed.read<uint8_t>();
      Buf sg(gpu, bytes), sc(cpu, bytes);
      Buf og(gpu, n * dtypeSize(to)), oc(cpu, n * dtypeSize(to));
      gpu->cast(sg.p, from, og.p, to, int64_t(n));
      cpu->cast(sc.p, from, oc.p, to, int64_t(n));
      std::string ctx = std::string("cast ") + dtypeName(from) + " -> " + dtypeName(to);
      if (to == DType::Float32) {  // compared as values: NaN payloads may differ
        auto a = og.read<float>(), b = oc.read<float>();
        CHECK_ALL_NEAR(a.data(), b.data(), a.size(), 0, ctx);
      } else if (to == DType::Int32) {
        auto a = og.read<int32_t>(), b = oc.read<int32_t>();
        CHECK_ALL_NEAR(a.data(), b.data(), a.size(), 0, ctx);
      } else {
        auto a = og.read<uint8_t>(), b = oc.read<uint8_t>();
        CHECK_ALL_NEAR(a.data(), b.data(), a.size(), 0, ctx);
      }
    }
  for (DType dt : all)
    for (double v : {0.0, 3.7, -2.0, 1e12, 300.0}) {
      size_t n = 37 * dtypeSize(dt);
      sameOnBoth<uint8_t>("fill", n, 0, [&](Backend* b, void* out) { b->fill(out, dt, v, 37); });
    }
}

TEST(unary_ops_and_their_gradients_match) {
  auto x = randomVec(1031, 5, -3.f, 3.f);
  auto dy = randomVec(1031, 6, -1.f, 1.f);
  x[0] = 0.f; x[1] = NAN; x[2] = 6.f;
  for (int op = 0; op < int(UnaryOp::Count); ++op) {
    std::vector<float> in = x;
    // log/sqrt/rsqrt of negatives are NaN on both; keep most inputs positive to compare values.
    if (op == int(UnaryOp::Log) || op == int(UnaryOp::Sqrt) || op == int(UnaryOp::Rsqrt))
      for (auto& v : in) v = std::fabs(v) + 0.1f;
    Buf xg(gpu, in), xc(cpu, in), dg(gpu, dy), dc(cpu, dy);
    std::string name = kUnaryNames[op];
    sameOnBoth<float>(name.c_str(), in.size(), 1e-5, [&](Backend* b, void* out) {
      b->unary(UnaryOp(op), static_cast<float*>((b == gpu ? xg : xc).p), static_cast<float*>(out), int64_t(in.size()), 0.2f);
    });
    sameOnBoth<float>((name + " grad").c_str(), in.size(), 1e-5, [&](Backend* b, void* out) {
      b->unaryGrad(UnaryOp(op), static_cast<float*>((b == gpu ? xg : xc).p), static_cast<float*>((b == gpu ? dg : dc).p),
                   static_cast<float*>(out), int64_t(in.size()), 0.2f);
    });
  }
}

TEST(binary_ops_broadcast_like_numpy_on_every_dtype) {
  struct Case { Shape a, b, o; };
  const Case cases[] = {
      {shapeOf({128, 512}), shapeOf({512}), shapeOf({128, 512})},      // bias add
      {shapeOf({7, 1, 5}), shapeOf({1, 3, 1}), shapeOf({7, 3, 5})},    // both broadcast
      {shapeOf({33}), shapeOf({33}), shapeOf({33})},
      {shapeOf({}), shapeOf({4, 5}), shapeOf({4, 5})},
      {shapeOf({2, 3, 4, 5}), shapeOf({3, 1, 5}), shapeOf({2, 3, 4, 5})},
      {shapeOf({5}), shapeOf({1}), shapeOf({3, 5})},                   // out larger than both
  };
  for (DType dt : {DType::Float32, DType::Int32, DType::Uint8}) {
    for (const Case& cs : cases) {
      size_t na = size_t(cs.a.size()), nb = size_t(cs.b.size()), no = size_t(cs.o.size());
      auto av = randomVec(na, 8, -5.f, 5.f), bv = randomVec(nb, 9, -5.f, 5.f);
      if (dt != DType::Float32) { for (auto& v : av) v = std::round(v); for (auto& v : bv) v = std::round(v); }
      if (dt == DType::Uint8) { for (auto& v : av) v = std::fabs(v); for (auto& v : bv) v = std::fabs(v); }
      // Inputs in dtype dt, cast by the CPU backend.
      auto typed = [&](const std::vector<float>& v) {
        Buf s(cpu, v), t(cpu, v.size() * dtypeSize(dt));
        cpu->cast(s.p, DType::Float32, t.p, dt, int64_t(v.size()));
        return t.read<uint8_t>();
      };
      auto ab = typed(av), bb = typed(bv);
      Buf ag(gpu, ab), ac(cpu, ab), bg(gpu, bb), bc(cpu, bb);
      for (int op = 0; op < int(BinaryOp::Count); ++op) {
        if (op == int(BinaryOp::Pow) && dt != DType::Float32) continue;  // integer pow overflows differently in double vs float paths
        bool cmp = isComparison(BinaryOp(op));
        for (DType outType : cmp ? std::vector<DType>{DType::Bool, DType::Float32} : std::vector<DType>{dt}) {
          size_t ob = no * dtypeSize(outType);
          Buf og(gpu, ob), oc(cpu, ob);
          gpu->binary(BinaryOp(op), dt, ag.p, cs.a, bg.p, cs.b, outType, og.p, cs.o);
          cpu->binary(BinaryOp(op), dt, ac.p, cs.a, bc.p, cs.b, outType, oc.p, cs.o);
          std::string ctx = std::string(kBinaryNames[op]) + " " + dtypeName(dt) + " -> " + dtypeName(outType);
          if (outType == DType::Float32) {
            auto g = og.read<float>(), c = oc.read<float>();
            CHECK_ALL_NEAR(g.data(), c.data(), no, 1e-5, ctx);
          } else if (outType == DType::Int32) {
            auto g = og.read<int32_t>(), c = oc.read<int32_t>();
            CHECK_ALL_NEAR(g.data(), c.data(), no, 0, ctx);
          } else {
            auto g = og.read<uint8_t>(), c = oc.read<uint8_t>();
            CHECK_ALL_NEAR(g.data(), c.data(), no, 0, ctx);
          }
        }
        // The scalar form, both operand orders.
        for (bool first : {false, true}) {
          DType outType = cmp ? DType::Bool : dt;
          size_t ob = na * dtypeSize(outType);
          Buf og(gpu, ob), oc(cpu, ob);
          gpu->binaryScalar(BinaryOp(op), dt, ag.p, 2.0, outType, og.p, int64_t(na), first);
          cpu->binaryScalar(BinaryOp(op), dt, ac.p, 2.0, outType, oc.p, int64_t(na), first);
          auto g = og.read<uint8_t>(), c = oc.read<uint8_t>();
          if (outType == DType::Float32) {
            CHECK_ALL_NEAR(reinterpret_cast<float*>(g.data()), reinterpret_cast<float*>(c.data()), na, 1e-5, "scalar");
          } else {
            CHECK_ALL_NEAR(g.data(), c.data(), g.size(), 0, std::string("scalar ") + kBinaryNames[op]);
          }
        }
      }
    }
  }
}

TEST(where_selects_per_element) {
  auto cf = randomVec(100, 10, -1.f, 1.f);
  std::vector<uint8_t> cond(100);
  for (size_t i = 0; i < 100; ++i) cond[i] = cf[i] > 0;
  auto a = randomVec(100, 11, -1.f, 1.f), b = randomVec(100, 12, -1.f, 1.f);
  Buf cg(gpu, cond), cc(cpu, cond), ag(gpu, a), ac(cpu, a), bg(gpu, b), bc(cpu, b);
  sameOnBoth<float>("where", 100, 0, [&](Backend* be, void* out) {
    bool g = be == gpu;
    be->where((g ? cg : cc).as<uint8_t>(), DType::Float32, (g ? ag : ac).p, (g ? bg : bc).p, out, 100);
  });
}

TEST(reductions_over_any_axes_match) {
  struct Case { Shape s; std::vector<bool> red; };
  const Case cases[] = {
      {shapeOf({128, 10}), {false, true}},        // per-row (loss per sample)
      {shapeOf({128, 512}), {true, false}},       // column sums (bias gradient)
      {shapeOf({7, 3, 5}), {false, true, false}},
      {shapeOf({2, 3, 4, 5}), {true, false, true, false}},
      {shapeOf({300000}), {true}},                // one long row (block path)
      {shapeOf({4, 1, 6}), {false, true, false}},
      {shapeOf({3, 0}), {false, true}},           // empty axis
      {shapeOf({5}), {false}},
  };
  for (const Case& cs : cases) {
    size_t n = size_t(cs.s.size()), outN = 1;
    bool red[kMaxDims];
    for (int i = 0; i < cs.s.ndim; ++i) { red[i] = cs.red[i]; if (!red[i]) outN *= size_t(cs.s.dims[i]); }
    auto x = randomVec(std::max<size_t>(n, 1), 13, -1.f, 1.f);
    Buf xg(gpu, x), xc(cpu, x);
    for (int op = 0; op < int(ReduceOp::Count); ++op) {
      if (n == 0 && (op == int(ReduceOp::Max) || op == int(ReduceOp::Min))) continue;  // refused upstream
      sameOnBoth<float>((std::string("reduce ") + kReduceNames[op]).c_str(), outN, 1e-4, [&](Backend* b, void* out) {
        b->reduce(ReduceOp(op), (b == gpu ? xg : xc).as<float>(), cs.s, red, static_cast<float*>(out));
      });
    }
  }
  // NaN propagates through max and min.
  std::vector<float> x = {1.f, NAN, 3.f, -2.f};
  Buf xg(gpu, x), xc(cpu, x);
  bool red[1] = {true};
  for (ReduceOp op : {ReduceOp::Max, ReduceOp::Min, ReduceOp::Sum})
    sameOnBoth<float>("reduce with NaN", 1, 0, [&](Backend* b, void* out) {
      b->reduce(op, (b == gpu ? xg : xc).as<float>(), shapeOf({4}), red, static_cast<float*>(out));
    });
}

TEST(argmax_and_argmin_match_along_any_axis) {
  Shape s = shapeOf({6, 7, 5});
  auto x = randomVec(210, 14, -1.f, 1.f);
  x[3] = NAN;
  Buf xg(gpu, x), xc(cpu, x);
  for (int axis = 0; axis < 3; ++axis)
    for (ArgReduceOp op : {ArgReduceOp::Argmax, ArgReduceOp::Argmin}) {
      size_t outN = 210 / size_t(s.dims[axis]);
      sameOnBoth<int32_t>("argReduce", outN, 0, [&](Backend* b, void* out) {
        b->argReduce(op, (b == gpu ? xg : xc).as<float>(), s, axis, static_cast<int32_t*>(out));
      });
    }
}

TEST(softmax_and_log_softmax_match) {
  for (int64_t cols : {10, 1, 33, 1000}) {
    int64_t rows = 37;
    auto x = randomVec(size_t(rows * cols), 15, -10.f, 10.f);
    Buf xg(gpu, x), xc(cpu, x);
    for (bool log : {false, true})
      sameOnBoth<float>(log ? "log_softmax" : "softmax", size_t(rows * cols), 1e-5, [&](Backend* b, void* out) {
        b->softmax((b == gpu ? xg : xc).as<float>(), static_cast<float*>(out), rows, cols, log);
      });
  }
}

TEST(fused_softmax_cross_entropy_matches_loss_and_gradient) {
  int64_t rows = 128, cols = 10;
  auto x = randomVec(size_t(rows * cols), 16, -5.f, 5.f);
  std::vector<int32_t> y(static_cast<size_t>(rows));
  std::vector<float> hot(size_t(rows * cols), 0.f);
  for (int64_t r = 0; r < rows; ++r) { y[size_t(r)] = int32_t((r * 7) % cols); hot[size_t(r * cols + y[size_t(r)])] = 1.f; }
  Buf xg(gpu, x), xc(cpu, x), yg(gpu, y), yc(cpu, y), hg(gpu, hot), hc(cpu, hot);
  for (bool sparse : {true, false}) {
    Buf lg(gpu, size_t(rows) * 4), lc(cpu, size_t(rows) * 4);
    std::vector<float> zeros(size_t(rows * cols), 0.f);
    Buf gg(gpu, zeros), gc(cpu, zeros);
    gpu->softmaxCrossEntropy(xg.as<float>(), (sparse ? yg : hg).p, sparse, rows, cols, lg.as<float>(), gg.as<float>(), 1.f / 128);
    cpu->softmaxCrossEntropy(xc.as<float>(), (sparse ? yc : hc).p, sparse, rows, cols, lc.as<float>(), gc.as<float>(), 1.f / 128);
    auto a = lg.read<float>(), b = lc.read<float>();
    CHECK_ALL_NEAR(a.data(), b.data(), a.size(), 1e-5, sparse ? "sparse loss" : "one-hot loss");
    auto ga = gg.read<float>(), gb = gc.read<float>();
    CHECK_ALL_NEAR(ga.data(), gb.data(), ga.size(), 1e-5, sparse ? "sparse grad" : "one-hot grad");
  }
  // In place: the gradient overwrites the logits.
  Buf lg(gpu, size_t(rows) * 4), lc(cpu, size_t(rows) * 4);
  gpu->softmaxCrossEntropy(xg.as<float>(), yg.p, true, rows, cols, lg.as<float>(), xg.as<float>(), 1.f);
  cpu->softmaxCrossEntropy(xc.as<float>(), yc.p, true, rows, cols, lc.as<float>(), xc.as<float>(), 1.f);
  auto a = xg.read<float>(), b = xc.read<float>();
  CHECK_ALL_NEAR(a.data(), b.data(), a.size(), 1e-5, "in-place grad");
  auto la = lg.read<float>(), lb = lc.read<float>();
  CHECK_ALL_NEAR(la.data(), lb.data(), la.size(), 1e-5, "in-place loss");
}

TEST(transpose_gather_and_one_hot_match) {
  auto x = randomVec(2 * 3 * 4 * 5, 17, -1.f, 1.f);
  Buf xg(gpu, x), xc(cpu, x);
  const int perms[][4] = {{1, 0, 2, 3}, {3, 2, 1, 0}, {0, 2, 3, 1}};
  for (auto& p : perms)
    sameOnBoth<float>("transpose 4-d", x.size(), 0, [&](Backend* b, void* out) {
      b->transpose((b == gpu ? xg : xc).p, 4, shapeOf({2, 3, 4, 5}), p, out);
    });
  auto m = randomVec(67 * 45, 18, -1.f, 1.f);
  Buf mg(gpu, m), mc(cpu, m);
  const int t2[] = {1, 0};
  sameOnBoth<float>("transpose 2-d", m.size(), 0, [&](Backend* b, void* out) {
    b->transpose((b == gpu ? mg : mc).p, 4, shapeOf({67, 45}), t2, out);
  });
  std::vector<uint8_t> bytes(67 * 45);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 31);
  Buf ug(gpu, bytes), uc(cpu, bytes);
  sameOnBoth<uint8_t>("transpose uint8", bytes.size(), 0, [&](Backend* b, void* out) {
    b->transpose((b == gpu ? ug : uc).p, 1, shapeOf({67, 45}), t2, out);
  });
  std::vector<int32_t> idx = {5, 0, 66, 3, 3, 10};
  Buf ig(gpu, idx), ic(cpu, idx);
  sameOnBoth<float>("gather", idx.size() * 45, 0, [&](Backend* b, void* out) {
    b->gather((b == gpu ? mg : mc).p, 4, 45, 67, (b == gpu ? ig : ic).as<int32_t>(), int64_t(idx.size()), out);
  });
  sameOnBoth<uint8_t>("gather uint8", idx.size() * 45, 0, [&](Backend* b, void* out) {
    b->gather((b == gpu ? ug : uc).p, 1, 45, 67, (b == gpu ? ig : ic).as<int32_t>(), int64_t(idx.size()), out);
  });
  {
    // Device indices cannot be checked on the host: one outside x's rows gives a zero row.
    std::vector<int32_t> bad = {1, 67, -1};
    Buf bi(gpu, bad), bo(gpu, bad.size() * 45 * 4);
    gpu->gather(mg.p, 4, 45, 67, bi.as<int32_t>(), int64_t(bad.size()), bo.p);
    std::vector<float> want(bad.size() * 45, 0.f);
    std::copy(m.begin() + 45, m.begin() + 90, want.begin());
    auto got = bo.read<float>();
    CHECK_ALL_NEAR(got.data(), want.data(), got.size(), 0, "gather with indices 1, 67 (of 67 rows) and -1");
  }
  sameOnBoth<float>("oneHot", idx.size() * 70, 0, [&](Backend* b, void* out) {
    b->oneHot((b == gpu ? ig : ic).as<int32_t>(), int64_t(idx.size()), 70, static_cast<float*>(out));
  });
}

TEST(fused_optimizer_updates_match_over_many_tensors) {
  // More tensors than one launch's slot table holds (48), of uneven sizes.
  const int count = 53;
  std::vector<int64_t> sizes(count);
  for (int i = 0; i < count; ++i) sizes[size_t(i)] = 1 + (i * 977) % 9000;
  sizes[0] = 401408;  // the MNIST kernel
  enum { Sgd, Momentum, Nesterov, Rms, Adam, AdamW, Adagrad };
  for (int rule = Sgd; rule <= Adagrad; ++rule) {
    std::vector<std::unique_ptr<Buf>> keep;
    std::vector<OptimizerSlot> sg(count), sc(count);
    for (int i = 0; i < count; ++i) {
      size_t n = size_t(sizes[size_t(i)]);
      auto w = randomVec(n, 100 + i, -1.f, 1.f), g = randomVec(n, 200 + i, -1.f, 1.f);
      auto s1 = randomVec(n, 300 + i, 0.f, 1.f), s2 = randomVec(n, 400 + i, 0.f, 1.f);
      for (Backend* be : {gpu, cpu}) {
        keep.push_back(std::make_unique<Buf>(be, w));
        float* pw = keep.back()->as<float>();
        keep.push_back(std::make_unique<Buf>(be, g));
        float* pg = keep.back()->as<float>();
        keep.push_back(std::make_unique<Buf>(be, s1));
        float* p1 = keep.back()->as<float>();
        keep.push_back(std::make_unique<Buf>(be, s2));
        float* p2 = keep.back()->as<float>();
        OptimizerSlot s{pw, pg, rule == Sgd ? nullptr : p1, p2, int64_t(n)};
        (be == gpu ? sg : sc)[size_t(i)] = s;
      }
    }
    for (Backend* be : {gpu, cpu}) {
      const OptimizerSlot* s = (be == gpu ? sg : sc).data();
      switch (rule) {
        case Sgd: be->sgdUpdate(s, count, 0.01f, 0.f, false); break;
        case Momentum: be->sgdUpdate(s, count, 0.01f, 0.9f, false); break;
        case Nesterov: be->sgdUpdate(s, count, 0.01f, 0.9f, true); break;
        case Rms: be->rmspropUpdate(s, count, 0.001f, 0.9f, 1e-7f); break;
        case Adam: be->adamUpdate(s, count, 0.001f, 0.9f, 0.999f, 1e-7f, 3, 0.f); break;
        case AdamW: be->adamUpdate(s, count, 0.001f, 0.9f, 0.999f, 1e-7f, 3, 0.004f); break;
        case Adagrad: be->adagradUpdate(s, count, 0.001f, 1e-7f); break;
      }
    }
    // keep holds, per tensor, gpu {w, g, s1, s2} then cpu {w, g, s1, s2}.
    for (int i = 0; i < count; ++i) {
      const char* names[] = {"param", "grad", "slot 1", "slot 2"};
      for (int k : {0, 2, 3}) {
        auto a = keep[size_t(i * 8 + k)]->read<float>(), b = keep[size_t(i * 8 + 4 + k)]->read<float>();
        std::string ctx = "optimizer rule " + std::to_string(rule) + " tensor " + std::to_string(i) + " " + names[k];
        CHECK_ALL_NEAR(a.data(), b.data(), a.size(), 1e-5, ctx);
      }
    }
  }
}

// ---- convolution and pooling: the GPU against the double-precision loops ----
namespace {
void compareConv(const Conv2dArgs& a0, bool bias, Activation act) {
  Conv2dArgs a = a0;
  unsigned seed = unsigned(a.batch * 131 + a.inH * 17 + a.inC * 7 + a.kh * 3 + a.outC);
  auto x = randomVec(size_t(a.batch * a.inH * a.inW * a.inC), seed);
  auto w = randomVec(size_t(a.kh * a.kw * a.inC * a.outC), seed + 1);
  auto bv = randomVec(size_t(a.outC), seed + 2);
  auto dy = randomVec(size_t(a.batch * a.outH * a.outW * a.outC), seed + 3);
  std::string name = "conv " + std::to_string(a.inH) + "x" + std::to_string(a.inW) + "x" + std::to_string(a.inC) + " k" +
                     std::to_string(a.kh) + "x" + std::to_string(a.kw) + " s" + std::to_string(a.strideH) + " d" +
                     std::to_string(a.dilH) + " pad" + std::to_string(a.padTop);
  auto want = test::conv2dRef(x, w, a, bias ? &bv : nullptr, act);
  std::vector<double> wantDx, wantDw;
  test::conv2dGradRef(x, w, dy, a, wantDx, wantDw);
  Buf dX(gpu, x), dW(gpu, w), dB(gpu, bv), dDy(gpu, dy), dY(gpu, want.size() * 4), dDx(gpu, x.size() * 4), dDw(gpu, w.size() * 4);
  a.bias = bias ? dB.as<float>() : nullptr;
  a.act = act;
  gpu->conv2d(dX.as<float>(), dW.as<float>(), dY.as<float>(), a);
  gpu->conv2dInputGrad(dDy.as<float>(), dW.as<float>(), dDx.as<float>(), a);
  gpu->conv2dKernelGrad(dX.as<float>(), dDy.as<float>(), dDw.as<float>(), a);
  double tol = 1e-4 * std::sqrt(double(a.patchSize()) + 1);
  auto y = dY.read<float>(), dx = dDx.read<float>(), dw = dDw.read<float>();
  CHECK_ALL_NEAR(y.data(), want.data(), want.size(), tol, name + " forward");
  CHECK_ALL_NEAR(dx.data(), wantDx.data(), wantDx.size(), tol, name + " input grad");
  CHECK_ALL_NEAR(dw.data(), wantDw.data(), wantDw.size(), 1e-4 * std::sqrt(double(a.outRows()) + 1), name + " kernel grad");
}

void comparePool(PoolOp op, const Pool2dArgs& a) {
  auto x = randomVec(size_t(a.batch * a.inH * a.inW * a.channels), unsigned(a.inH * 7 + a.channels));
  auto dy = randomVec(size_t(a.batch * a.outH * a.outW * a.channels), unsigned(a.inW * 5 + 1));
  std::vector<double> wantY, wantDx;
  test::pool2dRef(op, x, dy, a, wantY, wantDx);
  Buf dX(gpu, x), dDy(gpu, dy), dY(gpu, wantY.size() * 4), dArg(gpu, wantY.size() * 4), dDx(gpu, x.size() * 4);
  int32_t* arg = op == PoolOp::Max ? dArg.as<int32_t>() : nullptr;
  gpu->pool2d(op, dX.as<float>(), dY.as<float>(), arg, a);
  gpu->pool2dGrad(op, dDy.as<float>(), arg, dDx.as<float>(), a);
  auto y = dY.read<float>(), dx = dDx.read<float>();
  std::string name = std::string(kPoolNames[int(op)]) + " pool " + std::to_string(a.inH) + "x" + std::to_string(a.inW) + " p" +
                     std::to_string(a.poolH) + "x" + std::to_string(a.poolW) + " s" + std::to_string(a.strideH) + " pad" + std::to_string(a.padTop);
  CHECK_ALL_NEAR(y.data(), wantY.data(), wantY.size(), 1e-6, name + " forward");
  CHECK_ALL_NEAR(dx.data(), wantDx.data(), wantDx.size(), 1e-6, name + " backward");
}
}  // namespace

TEST(convolution_forward_and_gradients_match_the_loops) {
  using test::convCase;
  //                           b  h  w  in out kh kw sh sw dh dw same
  compareConv(convCase(2, 7, 9, 3, 5, 3, 3, 1, 1, 1, 1, false), false, Activation::Linear);
  compareConv(convCase(2, 7, 9, 3, 5, 3, 3, 1, 1, 1, 1, true), true, Activation::Relu);
  compareConv(convCase(3, 9, 8, 2, 4, 3, 2, 2, 2, 1, 1, true), true, Activation::Tanh);
  compareConv(convCase(1, 10, 11, 3, 2, 3, 3, 1, 1, 2, 2, true), false, Activation::Linear);
  compareConv(convCase(2, 10, 11, 1, 3, 2, 3, 1, 1, 3, 1, false), true, Activation::Sigmoid);
  compareConv(convCase(2, 5, 6, 3, 7, 1, 1, 2, 2, 1, 1, false), false, Activation::Linear);
  compareConv(convCase(2, 13, 13, 32, 64, 3, 3, 1, 1, 1, 1, false), true, Activation::Relu);  // the book's conv2
}

TEST(max_and_avg_pooling_and_their_gradients_match_the_loops) {
  using test::poolCase;
  for (PoolOp op : {PoolOp::Max, PoolOp::Avg}) {
    comparePool(op, poolCase(2, 7, 9, 3, 2, 2, 2, 2, false));
    comparePool(op, poolCase(2, 7, 9, 3, 2, 2, 2, 2, true));
    comparePool(op, poolCase(1, 8, 7, 1, 3, 3, 1, 1, true));
    comparePool(op, poolCase(2, 9, 10, 5, 3, 2, 2, 3, true));
    comparePool(op, poolCase(1, 10, 10, 4, 2, 2, 3, 3, false));
  }
}

TEST(copy_handles_overlapping_ranges_like_memmove) {
  std::vector<float> v(100);
  for (size_t i = 0; i < v.size(); ++i) v[i] = float(i);
  Buf g(gpu, v), c(cpu, v);
  gpu->copy(g.as<float>() + 10, g.as<float>(), 50 * 4);
  cpu->copy(c.as<float>() + 10, c.as<float>(), 50 * 4);
  auto a = g.read<float>(), b = c.read<float>();
  CHECK_ALL_NEAR(a.data(), b.data(), a.size(), 0, "overlapping copy");
}

TEST(a_captured_step_runs_only_when_replayed_and_each_replay_runs_it_once) {
  std::vector<float> zeros(1000, 0.f);
  Buf x(gpu, zeros);
  char why[256] = {0};
  CHECK(tsdl_cuda_graph_begin(why, sizeof why) == 0);
  gpu->binaryScalar(BinaryOp::Add, DType::Float32, x.p, 1.0, DType::Float32, x.p, 1000, false);
  gpu->unary(UnaryOp::Square, x.as<float>(), x.as<float>(), 1000, 0.f);
  int id = tsdl_cuda_graph_end(why, sizeof why);
  CHECK(id >= 0);
  if (id < 0) { std::printf("  graph: %s\n", why); return; }
  CHECK(x.read<float>()[0] == 0.f);  // capturing does not run
  for (int i = 0; i < 3; ++i) CHECK(tsdl_cuda_graph_replay(id, why, sizeof why) == 0);
  auto v = x.read<float>();
  CHECK(v[0] == 25.f && v[999] == 25.f);  // x ← (x + 1)² three times: 1, 4, 25
  CHECK(tsdl_cuda_graph_release(id, why, sizeof why) == 0);
  CHECK(tsdl_cuda_graph_replay(id, why, sizeof why) == -1);
}

int main() {
  char why[512] = {0};
  gpu = tsdl_create_cuda_backend(why, sizeof why);
  if (!gpu) {
    std::printf("GPU tests not run: %s\n", why[0] ? why : "no CUDA device");
    return 0;
  }
  cpu = cpuBackend();
  std::printf("running the kernel tests on %s\n", gpu->description().c_str());
  for (auto& c : ::tsdl::test::cases()) {
    int before = ::tsdl::test::failures();
    try {
      c.fn();
    } catch (const std::exception& e) {
      std::printf("  FAILED: %s\n", e.what());
      ++::tsdl::test::failures();
    }
    std::printf("%s %s\n", ::tsdl::test::failures() == before ? "ok  " : "FAIL", c.name);
  }
  std::printf("%d failure(s)\n", ::tsdl::test::failures());
  return ::tsdl::test::failures() == 0 ? 0 : 1;
}
