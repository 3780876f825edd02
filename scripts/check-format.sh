#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fails when a C++ source of hffm is not formatted as .clang-format says.
# Usage: scripts/check-format.sh [clang-format binary]   (fix with: clang-format -i <files>)
set -euo pipefail
cd "$(dirname "$0")/.."
format=${1:-clang-format}
mapfile -t files < <(find model helper examples test bench fuzz -name '*.cc' -o -name '*.h' | sort)
"$format" --dry-run -Werror "${files[@]}"
echo "${#files[@]} files formatted as .clang-format says"
