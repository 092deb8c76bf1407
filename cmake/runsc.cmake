# Helpers shared by every folder. Targets are named runsc_<dir>_<name> with an
# alias runsc::<dir>_<name> (DESIGN §9).

# runsc_library(<dir> <name> SRCS ... DEPS ...)
function(runsc_library dir name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  set(target runsc_${dir}_${name})
  add_library(${target} STATIC ${ARG_SRCS})
  target_link_libraries(${target} PUBLIC ${ARG_DEPS})
  add_library(runsc::${dir}_${name} ALIAS ${target})
endfunction()

# runsc_test(<dir> <name> SRCS ... DEPS ... [LABELS ...])
# A GoogleTest binary registered with ctest; label defaults to "unit".
function(runsc_test dir name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  set(target runsc_${dir}_${name})
  add_executable(${target} ${ARG_SRCS})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  add_test(NAME ${target} COMMAND ${target})
  set_tests_properties(${target} PROPERTIES LABELS "${ARG_LABELS}"
    ENVIRONMENT "RUNSC_BINARY=${CMAKE_BINARY_DIR}/runsc;RUNSC_BUILD_DIR=${CMAKE_BINARY_DIR}")
endfunction()
