// Plain reference loops for convolution and pooling (double accumulation), shared by
// native/tests/test_conv.cc, test_pooling.cc and the CUDA kernel tests.
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "../core/backend.h"

namespace tsdl::test {

// y[b, oy, ox, o] = Σ x[b, iy, ix, c] · w[i, j, c, o] over the taps inside the input.
inline std::vector<double> conv2dRef(const std::vector<float>& x, const std::vector<float>& w, const Conv2dArgs& a,
                                     const std::vector<float>* bias = nullptr, Activation act = Activation::Linear) {
  std::vector<double> y(size_t(a.batch * a.outH * a.outW * a.outC), 0.0);
  for (int64_t b = 0; b < a.batch; ++b)
    for (int64_t oy = 0; oy < a.outH; ++oy)
      for (int64_t ox = 0; ox < a.outW; ++ox)
        for (int64_t o = 0; o < a.outC; ++o) {
          double s = bias ? (*bias)[size_t(o)] : 0.0;
          for (int64_t i = 0; i < a.kh; ++i)
            for (int64_t j = 0; j < a.kw; ++j) {
              int64_t iy = oy * a.strideH - a.padTop + i * a.dilH, ix = ox * a.strideW - a.padLeft + j * a.dilW;
              if (iy < 0 || iy >= a.inH || ix < 0 || ix >= a.inW) continue;
              for (int64_t c = 0; c < a.inC; ++c)
                s += double(x[size_t(((b * a.inH + iy) * a.inW + ix) * a.inC + c)]) *
                     double(w[size_t(((i * a.kw + j) * a.inC + c) * a.outC + o)]);
            }
          if (act == Activation::Relu) s = s > 0 ? s : 0;
          else if (act == Activation::Sigmoid) s = 1 / (1 + std::exp(-s));
          else if (act == Activation::Tanh) s = std::tanh(s);
          y[size_t(((b * a.outH + oy) * a.outW + ox) * a.outC + o)] = s;
        }
  return y;
}

// dx and dw of Σ y·dy by the same loops, scattering instead of gathering.
inline void conv2dGradRef(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& dy,
                          const Conv2dArgs& a, std::vector<double>& dx, std::vector<double>& dw) {
  dx.assign(x.size(), 0.0);
  dw.assign(w.size(), 0.0);
  for (int64_t b = 0; b < a.batch; ++b)
    for (int64_t oy = 0; oy < a.outH; ++oy)
      for (int64_t ox = 0; ox < a.outW; ++ox)
        for (int64_t o = 0; o < a.outC; ++o) {
          double g = dy[size_t(((b * a.outH + oy) * a.outW + ox) * a.outC + o)];
          for (int64_t i = 0; i < a.kh; ++i)
            for (int64_t j = 0; j < a.kw; ++j) {
              int64_t iy = oy * a.strideH - a.padTop + i * a.dilH, ix = ox * a.strideW - a.padLeft + j * a.dilW;
              if (iy < 0 || iy >= a.inH || ix < 0 || ix >= a.inW) continue;
              for (int64_t c = 0; c < a.inC; ++c) {
                size_t xi = size_t(((b * a.inH + iy) * a.inW + ix) * a.inC + c);
                size_t wi = size_t(((i * a.kw + j) * a.inC + c) * a.outC + o);
                dx[xi] += g * w[wi];
                dw[wi] += g * x[xi];
              }
            }
        }
}

// Keras's output size and top/left padding for one axis ("same": out = ceil(in / s)).
inline void kerasAxis(int64_t in, int64_t k, int64_t s, int64_t d, bool same, int64_t* out, int64_t* pad) {
  int64_t eff = (k - 1) * d + 1;
  if (same) {
    *out = (in + s - 1) / s;
    int64_t total = std::max<int64_t>((*out - 1) * s + eff - in, 0);
    *pad = total / 2;
  } else {
    *out = (in - eff) / s + 1;
    *pad = 0;
  }
}

inline Conv2dArgs convCase(int64_t batch, int64_t h, int64_t w, int64_t inC, int64_t outC, int64_t kh, int64_t kw,
                           int64_t sh, int64_t sw, int64_t dh, int64_t dw, bool same) {
  Conv2dArgs a;
  a.batch = batch; a.inH = h; a.inW = w; a.inC = inC; a.outC = outC; a.kh = kh; a.kw = kw;
  a.strideH = sh; a.strideW = sw; a.dilH = dh; a.dilW = dw;
  kerasAxis(h, kh, sh, dh, same, &a.outH, &a.padTop);
  kerasAxis(w, kw, sw, dw, same, &a.outW, &a.padLeft);
  return a;
}

inline Pool2dArgs poolCase(int64_t batch, int64_t h, int64_t w, int64_t c, int64_t ph, int64_t pw, int64_t sh,
                           int64_t sw, bool same) {
  Pool2dArgs a;
  a.batch = batch; a.inH = h; a.inW = w; a.channels = c; a.poolH = ph; a.poolW = pw; a.strideH = sh; a.strideW = sw;
  kerasAxis(h, ph, sh, 1, same, &a.outH, &a.padTop);
  kerasAxis(w, pw, sw, 1, same, &a.outW, &a.padLeft);
  return a;
}

// Pooling forward and backward (dx of Σ y·dy; max routes each dy to its window's first max).
inline void pool2dRef(PoolOp op, const std::vector<float>& x, const std::vector<float>& dy, const Pool2dArgs& a,
                      std::vector<double>& y, std::vector<double>& dx) {
  y.assign(size_t(a.batch * a.outH * a.outW * a.channels), 0.0);
  dx.assign(x.size(), 0.0);
  for (int64_t b = 0; b < a.batch; ++b)
    for (int64_t oy = 0; oy < a.outH; ++oy)
      for (int64_t ox = 0; ox < a.outW; ++ox)
        for (int64_t c = 0; c < a.channels; ++c) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          size_t arg = 0;
          int64_t count = 0;
          std::vector<size_t> cells;
          for (int64_t i = 0; i < a.poolH; ++i)
            for (int64_t j = 0; j < a.poolW; ++j) {
              int64_t iy = oy * a.strideH - a.padTop + i, ix = ox * a.strideW - a.padLeft + j;
              if (iy < 0 || iy >= a.inH || ix < 0 || ix >= a.inW) continue;
              size_t xi = size_t(((b * a.inH + iy) * a.inW + ix) * a.channels + c);
              if (count == 0 || x[xi] > best) { best = x[xi]; arg = xi; }
              sum += x[xi];
              cells.push_back(xi);
              ++count;
            }
          size_t yi = size_t(((b * a.outH + oy) * a.outW + ox) * a.channels + c);
          double g = dy.empty() ? 0.0 : dy[yi];
          if (op == PoolOp::Max) {
            y[yi] = best;
            dx[arg] += g;
          } else {
            y[yi] = sum / double(count);
            for (size_t xi : cells) dx[xi] += g / double(count);
          }
        }
}

}  // namespace tsdl::test
