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

/// The velocity amplitude of pipe flow driven by an oscillating pressure gradient G cos(omega t),
/// per G R^2 / mu, at s = r / R: (1 - J0(z s) / J0(z)) / (i alpha^2). alpha -> 0 gives the steady
/// Poiseuille flow (1 - s^2) / 4 of the gradient G; at large alpha the amplitude falls as
/// 1 / alpha^2 (the fluid's inertia, not its viscosity, limits it).
std::complex<double> womersley_oscillation(double alpha, double s);
/// The largest |womersley_oscillation(alpha, s)| over the radius: the peak speed of an oscillating
/// gradient G is womersley_peak(alpha) G R^2 / mu (1/4 for alpha -> 0).
double womersley_peak(double alpha);
/// The same between plates a gap 2h apart (Stokes' oscillating channel flow), alpha = h sqrt(omega
/// / nu): the peak speed is oscillating_channel_peak(alpha) G h^2 / mu (1/2 for alpha -> 0).
double oscillating_channel_peak(double alpha);

}  // namespace hemotwin
