# Writes version.hpp from version.hpp.in with the current commit (`git describe --always --dirty`).
# configure_file leaves the file untouched when the text is unchanged, so nothing rebuilds then.
set(HEMOTWIN_GIT_COMMIT "unknown")
if(GIT_EXECUTABLE AND EXISTS ${SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty --abbrev=12
                  WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
                  RESULT_VARIABLE rc)
  if(rc EQUAL 0 AND commit)
    set(HEMOTWIN_GIT_COMMIT "${commit}")
  endif()
endif()
configure_file(${INPUT} ${OUTPUT} @ONLY)
