#!/usr/bin/env bash
# One command for a session that has the GPU machine: build, run the CUDA kernel tests, then
# (where node_modules is present) the runtime's availability test, the chapter's training and
# the benchmark. Everything it sees goes to $OUT (the device tool's output folder) or
# ./gpu-session-out, with the date and the GPU, for the "Figures" of native/cuda/README.md.
# Usage (repository root): bash native/cuda/gpu-session.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-gpu-session-out}
mkdir -p "$out"
summary="$out/summary.txt"
: > "$summary"
step() {  # step NAME COMMAND...: runs it, logs to $out/NAME.log, records the exit status
  local name=$1; shift
  local t0=$SECONDS
  "$@" > "$out/$name.log" 2>&1
  local rc=$?
  echo "$name: rc=$rc ($((SECONDS - t0)) s)" | tee -a "$summary"
  return $rc
}

{ date -u +%Y-%m-%dT%H:%MZ
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  nvcc --version | tail -1
} > "$out/machine.txt" 2>&1
cat "$out/machine.txt"

generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
step configure cmake -S . -B build-gpu "${generator[@]}" -DCMAKE_BUILD_TYPE=Release
step build cmake --build build-gpu -j "$(nproc)"
step cuda_kernels ctest --test-dir build-gpu -R '^cuda_kernels$' -V
grep -E "running the kernel tests|GPU tests not run|FAIL|failure" "$out/cuda_kernels.log" | tee -a "$summary"
step cuda_emulated ctest --test-dir build-gpu -R 'cuda_.*emulated'
step mnist_step build-gpu/native/cuda/tests/bench_mnist_step --epochs 3
grep -E "epoch|loss before" "$out/mnist_step.log" | tee -a "$summary"

if [ -d node_modules ]; then
  step npm_build npm run build
  step cuda_availability npx vitest run test/cuda-availability.test.ts
  step mnist node dist/examples/mnist.js --json
  tail -1 "$out/mnist.log" >> "$summary"
  step bench npm run bench -- cuda
  tail -8 "$out/bench.log" >> "$summary"
else
  echo "node_modules absent: the runtime, MNIST and benchmark steps were not run" | tee -a "$summary"
fi
echo "logs in $out"
