# SPDX-License-Identifier: GPL-2.0-only
# Test targets of the standalone build; included from the top-level CMakeLists.txt.

# ns-3 TestSuites are compiled into the runner itself: Debian links with --as-needed, so a
# library holding only self-registering suites would be dropped and no suite would run.
add_executable(hffm-test-runner test/hffm-test-runner.cc ${hffm_test_sources})
target_link_libraries(hffm-test-runner PRIVATE hffm)
hffm_target_defaults(hffm-test-runner)

# One ctest entry per suite. Suites of Duration EXTENSIVE cases also get an "extensive"
# entry, left out of the default run by label.
function(hffm_add_ns3_suite suite)
  add_test(NAME ns3/${suite} COMMAND hffm-test-runner --suite=${suite} --fullness=QUICK)
  set_tests_properties(ns3/${suite} PROPERTIES LABELS "ns3")
  if(ARGV1 STREQUAL "EXTENSIVE")
    add_test(NAME ns3/${suite}/extensive
             COMMAND hffm-test-runner --suite=${suite} --fullness=EXTENSIVE)
    set_tests_properties(ns3/${suite}/extensive PROPERTIES LABELS "ns3;extensive")
  endif()
endfunction()
hffm_add_ns3_suite(hffm-module-header)
hffm_add_ns3_suite(hffm-module-transfer EXTENSIVE)
hffm_add_ns3_suite(hffm-federated EXTENSIVE)
hffm_add_ns3_suite(hffm-fault-injection)
hffm_add_ns3_suite(hffm-strategy)

# GoogleTest: code without ns-3 in it (wire format, codec, stream reader, learning).
add_executable(hffm-gtest
  test/gtest/aggregation-test.cc
  test/gtest/aggregation-rules-test.cc
  test/gtest/checked-command-line-test.cc
  test/gtest/checkpoint-test.cc
  test/gtest/closed-form-cost-test.cc
  test/gtest/crc32c-test.cc
  test/gtest/d2d-graph-test.cc
  test/gtest/device-scenario-test.cc
  test/gtest/federated-method-test.cc
  test/gtest/federated-learner-test.cc
  test/gtest/fedprox-test.cc
  test/gtest/local-trainer-test.cc
  test/gtest/m3t-data-test.cc
  test/gtest/malloc-test.cc
  test/gtest/m3t-model-test.cc
  test/gtest/module-state-test.cc
  test/gtest/message-format-test.cc
  test/gtest/module-codec-test.cc
  test/gtest/module-stream-reader-test.cc
  test/gtest/module-state-torch-test.cc
  test/gtest/topology-config-test.cc
  test/gtest/torchscript-import-test.cc
)
# Debian's python3-torch makes the TorchScript file the import test reads.
find_program(HFFM_PYTHON python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
target_compile_definitions(hffm-gtest PRIVATE HFFM_PYTHON="${HFFM_PYTHON}"
                                              HFFM_MALLOC_LIBRARY="${HFFM_MALLOC_LIBRARY}"
                                              HFFM_SOURCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}")
target_link_libraries(hffm-gtest PRIVATE hffm GTest::gtest GTest::gtest_main)
hffm_target_defaults(hffm-gtest)
# One process for all cases: each process that loads LibTorch pays ~0.3 s to start.
add_test(NAME gtest/all COMMAND hffm-gtest --gtest_brief=1)
set_tests_properties(gtest/all PROPERTIES LABELS "gtest")

# The CMake and wscript source lists must name the same files.
add_test(NAME lint/source-lists
         COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR}
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/scripts/check-source-lists.cmake)
set_tests_properties(lint/source-lists PROPERTIES LABELS "lint")

# The transfer example runs, writes PCAP, and tshark sees the module's bytes in it.
add_test(NAME example/hffm-transfer-pcap
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test/check-transfer-pcap.sh
                 $<TARGET_FILE:hffm-transfer> ${CMAKE_CURRENT_BINARY_DIR}/test-output/transfer)
set_tests_properties(example/hffm-transfer-pcap PROPERTIES LABELS "example")

# Formatting follows .clang-format (ns-3 style).
find_program(HFFM_CLANG_FORMAT clang-format)
if(HFFM_CLANG_FORMAT)
  add_test(NAME lint/format COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scripts/check-format.sh
                                    ${HFFM_CLANG_FORMAT})
  set_tests_properties(lint/format PROPERTIES LABELS "lint")
endif()

# The paper-table example writes PCAP in which tshark finds every module byte it reports.
add_test(NAME example/hffm-paper-table-pcap
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test/check-federated-pcap.sh
                 $<TARGET_FILE:hffm-paper-table> ${CMAKE_CURRENT_BINARY_DIR}/test-output/paper-table)
set_tests_properties(example/hffm-paper-table-pcap PROPERTIES LABELS "example")

# The paper table merged from one process per seed and method equals the one-process table.
add_test(NAME example/hffm-paper-table-merge
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test/check-paper-table-merge.sh
                 $<TARGET_FILE:hffm-paper-table> ${CMAKE_CURRENT_BINARY_DIR}/test-output/merge)
set_tests_properties(example/hffm-paper-table-merge PROPERTIES LABELS "example")

# Bad numeric options (negative, fractional, out of range, trailing characters) are refused
# with a message naming them, exceptions end with their message, good values still work.
set(_hffm_benches)
if(HFFM_BUILD_BENCHMARKS)
  set(_hffm_benches $<TARGET_FILE:hffm-bench-federated-scale> $<TARGET_FILE:hffm-bench-train-step>
                    $<TARGET_FILE:hffm-bench-codec>)
endif()
add_test(NAME example/command-line
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test/check-command-line.sh
                 $<TARGET_FILE:hffm-paper-table> $<TARGET_FILE:hffm-transfer>
                 $<TARGET_FILE:hffm-model> ${_hffm_benches})
set_tests_properties(example/command-line PROPERTIES LABELS "example")

# Output folders are created with their parents (a fresh clone has no results/); one that
# cannot be made is refused by name before any simulation.
add_test(NAME example/output-folder
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test/check-output-folder.sh
                 $<TARGET_FILE:hffm-transfer> $<TARGET_FILE:hffm-paper-table>
                 $<TARGET_FILE:hffm-model>)
set_tests_properties(example/output-folder PROPERTIES LABELS "example")

# A scenario on ns-3's distributed simulator (2 and 4 MPI ranks) equals the one-process run,
# file by file (results and PCAP); bad partitions are refused on every rank.
if(HFFM_HAVE_MPI)
  find_program(HFFM_MPIRUN mpirun REQUIRED)
  add_test(NAME example/distributed
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test/check-distributed.sh
                   $<TARGET_FILE:hffm-paper-table> ${CMAKE_CURRENT_BINARY_DIR}/test-output/distributed)
  set_tests_properties(example/distributed PROPERTIES LABELS "example;mpi")
endif()
