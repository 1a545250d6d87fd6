// tenantlog_bench: the benchmark suite of tenantlog and its peers.
//
//   tenantlog_bench [--scale=full|small|tiny] [Google Benchmark flags]
//
// --scale (or the environment variable TENANTLOG_BENCH_SCALE; the flag wins)
// sizes every workload: full (default) is the suite as specified, small about
// a tenth of it, tiny a few seconds in all for CI.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "benches.h"
#include "fixture_cache.h"
#include "sizes.h"

int main(int argc, char** argv) {
  using namespace tenantlog::bench;
  constexpr std::string_view kScaleFlag = "--scale=";
  const char* env_scale = std::getenv("TENANTLOG_BENCH_SCALE");
  std::string scale = env_scale != nullptr && *env_scale != '\0' ? env_scale : "full";
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::strncmp(argv[i], kScaleFlag.data(), kScaleFlag.size()) == 0) {
      scale = argv[i] + kScaleFlag.size();
    } else {
      args.push_back(argv[i]);
    }
  }
  const std::optional<Sizes> sizes = SizesFor(scale);
  if (!sizes) {
    std::fprintf(stderr, "tenantlog_bench: unknown scale '%s': use full, small or tiny\n", scale.c_str());
    return 2;
  }

  RegisterAppendBenchmarks(*sizes);
  RegisterReplayBenchmarks(*sizes);
  RegisterUndoBenchmarks(*sizes);
  RegisterRestoreBenchmarks(*sizes);
  RegisterVerifyBenchmarks(*sizes);

  int count = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 2;
  benchmark::AddCustomContext("tenantlog_bench_scale", sizes->scale);
  benchmark::RunSpecifiedBenchmarks();
  ClearFixtures();
  benchmark::Shutdown();
  return 0;
}
