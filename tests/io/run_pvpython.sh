#!/bin/sh
# Runs a Python script under ParaView's pvpython, headless: run_pvpython.sh SCRIPT [ARGS...]
# pvpython is looked for in this order: $PVPYTHON; python3-paraview unpacked privately (it conflicts
# with python3-vtk9, which libvtk9-dev needs) under $HEMOTWIN_SOURCE_DIR/.deps/python3-paraview,
# $HEMOTWIN_BINARY_DIR/_deps/python3-paraview or $HEMOTWIN_SOURCE_DIR/build/_deps/python3-paraview;
# then pvpython on PATH. No pvpython is a failure, never a silent pass.
set -u
script=$1
shift

pv=""
for candidate in "${PVPYTHON:-}" \
                 "${HEMOTWIN_SOURCE_DIR:-.}/.deps/python3-paraview/usr/bin/pvpython" \
                 "${HEMOTWIN_BINARY_DIR:-.}/_deps/python3-paraview/usr/bin/pvpython" \
                 "${HEMOTWIN_SOURCE_DIR:-.}/build/_deps/python3-paraview/usr/bin/pvpython" \
                 "$(command -v pvpython 2>/dev/null)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    pv=$candidate
    break
  fi
done
if [ -z "$pv" ]; then
  echo "FAILED: pvpython not found, so ParaView could not be asked to open results.xdmf." >&2
  echo "  Debian: the pvpython binary and the paraview Python modules are in python3-paraview." >&2
  echo "  It conflicts with python3-vtk9; unpack it privately instead of installing it:" >&2
  echo "    apt-get download python3-paraview" >&2
  echo "    dpkg -x python3-paraview_*.deb \$HEMOTWIN_SOURCE_DIR/.deps/python3-paraview" >&2
  echo "  or set PVPYTHON=/path/to/pvpython." >&2
  exit 1
fi

# The paraview modules next to that pvpython: …/usr/bin/pvpython -> …/usr/lib/python3/dist-packages.
modules=$(dirname "$(dirname "$pv")")/lib/python3/dist-packages
if [ -d "$modules/paraview" ]; then
  PYTHONPATH="$modules${PYTHONPATH:+:$PYTHONPATH}"
  export PYTHONPATH
fi
# No display: Qt and ParaView's rendering stay offscreen (the test renders nothing anyway).
QT_QPA_PLATFORM=offscreen
export QT_QPA_PLATFORM
echo "using $pv (PYTHONPATH=${PYTHONPATH:-})"
exec "$pv" --force-offscreen-rendering "$script" "$@"
