#pragma once
// Womersley's solution for pulsatile flow in a rigid straight pipe (Womersley 1955, J Physiol
// 127:553), as inlet profiles: each harmonic of the flow has its own profile across the pipe.
#include <complex>

namespace hemotwin {

/// The profile of one harmonic of oscillating pipe flow per unit mean velocity: u(s) / mean, at
/// s = r / R in [0, 1], for Womersley number alpha = R sqrt(omega / nu). alpha = 0 gives
/// Poiseuille's 2 (1 - s^2); the mean over the disc is 1 for every alpha. With z = i^(3/2) alpha,
///     u(s) / mean = (1 - J0(z s) / J0(z)) / (1 - 2 J1(z) / (z J0(z))),
/// the Bessel functions by their power series (long double) up to |z| = 40 and by their
/// asymptotic forms (a boundary layer of depth ~ R sqrt(2) / alpha) beyond.
std::complex<double> womersley_shape(double alpha, double s);

}  // namespace hemotwin
