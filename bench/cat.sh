#!/usr/bin/env bash
# Adaptive exam validation (issue 12): simulated examinees with known θ, evenly spread over
# [−2.5, 2.5], take the full-length exam (85–150 items, three case studies) on the generated bank
# with Rasch difficulties from the priors; prints bias and RMSE of θ̂, classification accuracy
# overall and for |θ − cut| ≥ 0.5, mean length, and the time to choose the next item.
#
# Floors: accuracy ≥ 95% for |θ − cut| ≥ 0.5; RMSE ≤ 0.35; next item p99 ≤ 10 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
# The `profiling` profile is the release profile without whole-program LTO: it builds in a few
# minutes instead of the release test build's quarter of an hour, and runs no faster than release.
CAT_EXAMINEES="${CAT_EXAMINEES:-1000}" cargo test --profile profiling --locked --lib \
  simulated_examinees_on_the_generated_bank -- --nocapture 2>/dev/null | grep -E '^(bank|validation|next item):'
