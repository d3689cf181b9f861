# Installing and packaging: `cmake --install BUILD [--prefix P]` lays out the GNU directories,
# `cpack -G DEB` (in BUILD) makes a .deb of the same tree. Included once from CMakeLists.txt.
include(GNUInstallDirs)

# acsbatch(1), generated from the binary's own --help (scripts/man/make-manpage.sh), so the page
# lists exactly the flags this build has. Runs the freshly built binary: no cross-compiling.
set(ACSBATCH_MANPAGE ${PROJECT_BINARY_DIR}/man/acsbatch.1)
add_custom_command(
  OUTPUT ${ACSBATCH_MANPAGE}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
  COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/man/make-manpage.sh $<TARGET_FILE:acsbatch>
          ${PROJECT_SOURCE_DIR}/scripts/man/sections.man ${ACSBATCH_MANPAGE}
  DEPENDS acsbatch ${PROJECT_SOURCE_DIR}/scripts/man/make-manpage.sh
          ${PROJECT_SOURCE_DIR}/scripts/man/sections.man
  COMMENT "Generating acsbatch.1 from acsbatch --help"
  VERBATIM)
add_custom_target(acsbatch_man ALL DEPENDS ${ACSBATCH_MANPAGE})

install(TARGETS acsbatch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${ACSBATCH_MANPAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES scripts/completion/acsbatch.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME acsbatch)
install(DIRECTORY jobs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/acsbatch/jobs
        FILES_MATCHING PATTERN "*.yaml")
# Examples to copy and adapt (they name /usr/local/bin/acsbatch and /etc/acsbatch/…).
install(DIRECTORY scripts/cron scripts/systemd scripts/k8s
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The .deb. Depends comes from dpkg-shlibdeps (package dpkg-dev; CPack runs `file` to find the
# ELF files) when both are there, so it names the libraries this build really links, with their
# versions; otherwise from the list of libraries acsbatch links on Debian 12. ca-certificates is
# no library, but verifying a real endpoint's TLS certificate needs the system CA store.
set(CPACK_PACKAGE_NAME acsbatch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "acsbatch maintainers <acsbatch@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Provision, rotate and load-test Azure Communication Services identities")
set(CPACK_PACKAGE_DESCRIPTION
    "acsbatch runs YAML jobs of ACS Identity operations (create users, issue and revoke access tokens, delete users) for one user or millions, within the service's limits, journalled so that a killed run resumes, and writes JSON, HTML and JUnit reports. An embedded emulator of the ACS Identity REST API lets every job run offline.")
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # acsbatch_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_STRIP_FILES ON)  # debug info stays in the build tree; the package is a tenth the size
find_program(ACSBATCH_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(ACSBATCH_FILE_PROGRAM file)
if(ACSBATCH_DPKG_SHLIBDEPS AND ACSBATCH_FILE_PROGRAM)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates")
else()
  if(ACSBATCH_BUNDLE_LIBS)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libssl3, libc6, ca-certificates")
  else()
    set(CPACK_DEBIAN_PACKAGE_DEPENDS
        "libboost-json1.81.0, libboost-url1.81.0, libssl3, libyaml-cpp0.7, libsqlite3-0, libstdc++6, libgcc-s1, libc6, ca-certificates")
  endif()
endif()
include(CPack)

if(ACSBATCH_TESTS AND TARGET integration_tests)
  # The Packaging.* tests install this build tree and pack it: they need the page built.
  add_dependencies(integration_tests acsbatch_man)
  target_compile_definitions(integration_tests PRIVATE
    ACSBATCH_BUILD_DIR="${PROJECT_BINARY_DIR}"
    ACSBATCH_CMAKE_COMMAND="${CMAKE_COMMAND}"
    ACSBATCH_CPACK_COMMAND="${CMAKE_CPACK_COMMAND}")
endif()
