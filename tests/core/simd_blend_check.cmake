# simd_blend_check: kernels::blend on every SIMD width, built for this CPU like the kernels (AVX-512
# where there is one); clang 14 + libstdc++ 12 got it wrong there. A target for tests/core (ctest
# core.simd_blend) and fuzz/ (scripts/fuzz runs it in the clang build), whichever comes first.
if(NOT TARGET simd_blend_check)
  add_executable(simd_blend_check ${CMAKE_CURRENT_LIST_DIR}/simd_blend_check.cpp)
  target_link_libraries(simd_blend_check PRIVATE hemotwin::core)
  set_target_properties(simd_blend_check PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                                                    ${PROJECT_BINARY_DIR}/tests/core)
  if(HEMOTWIN_NATIVE)
    target_compile_options(simd_blend_check PRIVATE -march=native)
  endif()
endif()
