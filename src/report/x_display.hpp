#pragma once
// The X connection every figure of the process renders through (Debian's VTK renders through X).

namespace hemotwin::report {

/// The process's connection to the X server named by DISPLAY (an Xlib Display*), opened on first
/// use and kept open. Throws hemotwin::Error naming the display when no server answers there or
/// it refuses this client. VTK is given this connection instead of opening its own: VTK 9.1's
/// interactor dereferences the null pointer a failed XOpenDisplay returns (a segfault, seen under
/// xvfb-run on a loaded machine).
void* x_display();

}  // namespace hemotwin::report
