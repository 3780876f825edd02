# SPDX-License-Identifier: GPL-2.0-only
# Fails when the source lists of CMakeLists.txt and wscript-compat/wscript differ, when a
# listed file does not exist, or when a source file of the module is listed in neither.
# Usage: cmake -DSOURCE_DIR=<hffm folder> -P scripts/check-source-lists.cmake

cmake_minimum_required(VERSION 3.16)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "pass -DSOURCE_DIR=<hffm folder>")
endif()
get_filename_component(SOURCE_DIR "${SOURCE_DIR}" ABSOLUTE)
file(READ ${SOURCE_DIR}/CMakeLists.txt cmake_text)
file(READ ${SOURCE_DIR}/wscript-compat/wscript waf_text)

# The body of "set(<name> ...)" in CMakeLists.txt, as a sorted list.
function(cmake_list name out)
  string(REGEX MATCH "set\\(${name}[ \t\r\n]+([^)]*)\\)" _m "${cmake_text}")
  if(NOT _m)
    message(FATAL_ERROR "CMakeLists.txt has no set(${name} ...)")
  endif()
  string(REGEX REPLACE "[ \t\r\n]+" ";" _items "${CMAKE_MATCH_1}")
  list(FILTER _items EXCLUDE REGEX "^$")
  list(SORT _items)
  set(${out} "${_items}" PARENT_SCOPE)
endfunction()

# The quoted items of "<name>.source = [ ... ]" in the wscript, as a sorted list.
function(waf_list name out)
  string(REGEX MATCH "${name}\\.source = \\[([^]]*)\\]" _m "${waf_text}")
  if(NOT _m)
    message(FATAL_ERROR "wscript has no ${name}.source = [...]")
  endif()
  string(REGEX MATCHALL "'[^']+'" _quoted "${CMAKE_MATCH_1}")
  set(_items)
  foreach(_q ${_quoted})
    string(REPLACE "'" "" _q "${_q}")
    list(APPEND _items "${_q}")
  endforeach()
  list(SORT _items)
  set(${out} "${_items}" PARENT_SCOPE)
endfunction()

set(failed FALSE)
foreach(pair "hffm_sources;module" "hffm_headers;headers" "hffm_test_sources;module_test")
  list(GET pair 0 cmake_name)
  list(GET pair 1 waf_name)
  cmake_list(${cmake_name} c)
  waf_list(${waf_name} w)
  if(NOT "${c}" STREQUAL "${w}")
    message(SEND_ERROR "${cmake_name} (CMake) and ${waf_name}.source (wscript) differ:\n"
                       "  CMake:    ${c}\n  wscript:  ${w}")
    set(failed TRUE)
  endif()
  foreach(f ${c})
    if(NOT EXISTS ${SOURCE_DIR}/${f})
      message(SEND_ERROR "${cmake_name} lists ${f}, which does not exist")
      set(failed TRUE)
    endif()
  endforeach()
  list(APPEND all_listed ${c})
endforeach()

# Every .cc/.h of the module's folders is listed.
file(GLOB_RECURSE on_disk RELATIVE ${SOURCE_DIR}
     ${SOURCE_DIR}/model/*.cc ${SOURCE_DIR}/model/*.h
     ${SOURCE_DIR}/helper/*.cc ${SOURCE_DIR}/helper/*.h
     ${SOURCE_DIR}/test/*-test-suite.cc)
foreach(f ${on_disk})
  list(FIND all_listed ${f} at)
  if(at EQUAL -1)
    message(SEND_ERROR "${f} is in no source list")
    set(failed TRUE)
  endif()
endforeach()

if(failed)
  message(FATAL_ERROR "source lists are out of step")
endif()
list(LENGTH all_listed n)
message(STATUS "source lists agree (${n} files)")
