# What `cmake --install` puts where, and the Debian package CPack builds from it (scripts/package).
# Paths are those systemd/roomd.service names: /usr/bin/roomd and /etc/roomd/roomd.json.
set(ROOMD_CONFIG_DIR /etc/roomd)

install(TARGETS roomd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES systemd/roomd.service DESTINATION lib/systemd/system)
install(FILES config/demo.json DESTINATION ${CMAKE_INSTALL_DATADIR}/roomd/examples)
# The pristine sample beside the one to edit: the postinst compares them, and an integrator
# can diff against it.
install(FILES config/sample.json DESTINATION ${CMAKE_INSTALL_DATADIR}/roomd RENAME roomd.json)
# An existing config is never overwritten (a reinstall from source over a configured box).
install(CODE "
  if(EXISTS \"\$ENV{DESTDIR}${ROOMD_CONFIG_DIR}/roomd.json\")
    message(STATUS \"Keeping: \$ENV{DESTDIR}${ROOMD_CONFIG_DIR}/roomd.json\")
  else()
    file(INSTALL \"${PROJECT_SOURCE_DIR}/config/sample.json\" DESTINATION \"${ROOMD_CONFIG_DIR}\"
         RENAME roomd.json PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
  endif()")
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME roomd)
set(CPACK_PACKAGE_VENDOR roomd)
set(CPACK_PACKAGE_CONTACT "roomd maintainers <roomd@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "room controller runtime: device drivers, state store, panel API")
set(CPACK_PACKAGE_DESCRIPTION "roomd runs on a small Linux box per room and talks to its \
projectors, displays, switchers and sensors over TCP, UDP, RS-232/485 and Modbus. Panels and \
scripts drive the room through a WebSocket/REST API and the web panel it serves, and a durable \
outbox forwards what happened to an MQTT upstream.")
# DESTDIR staging, so the absolute /etc/roomd lands inside the package too.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_NAME roomd)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What the maintainer scripts run; dpkg-shlibdeps adds the libraries.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/deb/conffiles;${PROJECT_SOURCE_DIR}/packaging/deb/postinst;${PROJECT_SOURCE_DIR}/packaging/deb/prerm;${PROJECT_SOURCE_DIR}/packaging/deb/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
