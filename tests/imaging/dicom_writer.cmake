# The DICOM writer of the tests (dicom_writer.cpp: ITK's GDCM writer, private tags through GDCM),
# as a static library for tests/imaging and fuzz/ (the seed writer). It alone sees ITK's and
# GDCM's headers: ITK bundles its own Eigen, which must not meet the system Eigen.
if(NOT TARGET hemotwin_test_dicom_writer)
  find_package(ITK 5.2 REQUIRED COMPONENTS ITKCommon ITKIOImageBase ITKIOGDCM)
  add_library(hemotwin_test_dicom_writer STATIC ${CMAKE_CURRENT_LIST_DIR}/dicom_writer.cpp)
  set(_writer_dirs ${ITK_INCLUDE_DIRS} ${HEMOTWIN_GDCM_INCLUDE_DIR})
  list(REMOVE_ITEM _writer_dirs /usr/include)  # as -I it would break libstdc++'s #include_next
  target_include_directories(hemotwin_test_dicom_writer PRIVATE ${_writer_dirs})
  target_link_libraries(hemotwin_test_dicom_writer PUBLIC ${ITK_LIBRARIES}
                                                          ${HEMOTWIN_GDCM_LIBRARIES})
endif()
