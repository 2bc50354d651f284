#!/usr/bin/env bash
# Proves QualityHub's GPU path on a machine with an NVIDIA GPU: builds the CLI (Release), says which provider
# actually runs, runs the ONNX backend conformance cases and the benchmark on CUDA, and prints GPU ÷ CPU throughput.
# Where the CUDA provider cannot load, it says what is missing, in ONNX Runtime's own words.
#
# Usage: tools/gpu-check.sh [--model FILE] [--seconds N]   (default model: the demo CNN)
#
# ONNX Runtime 1.32's CUDA provider (NuGet Microsoft.ML.OnnxRuntime.Gpu) needs the NVIDIA driver, the CUDA 13 runtime
# (libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcufft.so.12 … as the CUDA 13 toolkit or its pip/conda
# wheels install them) and cuDNN 9 for CUDA 13 (libcudnn.so.9), all on the loader's path (ldconfig or LD_LIBRARY_PATH).
set -uo pipefail
cd "$(dirname "$0")/.."

model=data/demo/models/fashion-cnn-v1.onnx
seconds=5
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "usage: tools/gpu-check.sh [--model FILE] [--seconds N]" >&2; exit 2 ;;
  esac
done

echo "== GPU"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=index,name,driver_version,memory.used,memory.total --format=csv,noheader
else
  echo "nvidia-smi not found: no NVIDIA driver on this machine (the CUDA provider needs one)."
fi

echo "== CUDA 13 and cuDNN 9 libraries the CUDA provider loads"
missing=0
for lib in libcuda.so.1 libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcufft.so.12 libcudnn.so.9; do
  if ldconfig -p 2>/dev/null | grep -q "$lib" || { [ -n "${LD_LIBRARY_PATH:-}" ] && find ${LD_LIBRARY_PATH//:/ } -maxdepth 1 -name "$lib*" 2>/dev/null | grep -q .; }; then
    echo "  found    $lib"
  else
    echo "  MISSING  $lib"
    missing=1
  fi
done
[ "$missing" -eq 0 ] || echo "  (a library marked MISSING stops the CUDA provider from loading; ONNX Runtime's reason follows below)"

echo "== build (Release)"
dotnet build src/QualityHub.Cli -c Release -nologo -v quiet || exit 1
cli=$(find src/QualityHub.Cli/bin/Release -name qualityhub -type f | head -1)

echo "== which provider runs"
info=$("$cli" info --Inference:Provider=cuda 2>/dev/null | grep -E '^(onnxruntime|providers|runs on|gpu):')
echo "$info"
ran_cuda=0
echo "$info" | grep -qE '^runs on: +(CUDA|TENSORRT)' && ran_cuda=1

echo "== conformance on CUDA"
"$cli" conformance --provider cuda --report /tmp/qualityhub-gpu-conformance.tsv 2> >(grep -E 'runs on' >&2) | tail -1

echo "== throughput, CUDA and CPU (batch 1 and 32)"
items() { awk '$2 == "qualityhub" { print $1, $3 }' | tr -d ','; }
gpu=$("$cli" bench --model "$model" --provider cuda --rounds 1 --seconds "$seconds" | tee /dev/stderr | items)
cpu=$("$cli" bench --model "$model" --provider cpu --rounds 1 --seconds "$seconds" | tee /dev/stderr | items)
join <(echo "$gpu" | sort) <(echo "$cpu" | sort) | awk '{ printf "GPU / CPU throughput, batch %s: %.2f (%s vs %s items/s)\n", $1, $2 / $3, $2, $3 }'
if [ "$ran_cuda" -eq 0 ]; then
  echo "CUDA did not run here (see 'runs on' above): those ratios compare the CPU with itself. Provide what is MISSING and run again."
  exit 1
fi
