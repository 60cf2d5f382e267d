// Deformable registration of two frames of one series with ITK (see itk_ops.hpp for why ITK lives
// in its own translation units): diffeomorphic demons (Vercauteren et al. 2009) with symmetric
// (ESM) forces, the field smoothed after each update, in MultiResolutionPDEDeformableRegistration's
// pyramid. Demons compares intensities directly, which suits the frames of one 4D scan (one
// contrast, one scanner); scans of different contrast register with register_mattes first.
#include <itkCommand.h>
#include <itkDiffeomorphicDemonsRegistrationFilter.h>
#include <itkMultiResolutionPDEDeformableRegistration.h>
#include <itkWarpImageFilter.h>

#include <cmath>

#include "hemotwin/core/error.hpp"
#include "itk_image.hpp"
#include "itk_ops.hpp"

namespace hemotwin::imaging::itk_ops {
namespace {

using F = Img<float>;
using Field = itk::Image<itk::Vector<float, 3>, 3>;
using Demons = itk::DiffeomorphicDemonsRegistrationFilter<F, F, Field>;
using MultiRes = itk::MultiResolutionPDEDeformableRegistration<F, F, Field, float>;

// Counts the iterations and stops a level once the frames' mean squared difference has improved
// by less than `plateau` (relative) over the last `window` iterations: with noise in the frames
// the demons update never shrinks to nothing (every voxel's difference pushes), so the field's
// own change cannot tell when a level is done.
class Plateau : public itk::Command {
 public:
  using Pointer = itk::SmartPointer<Plateau>;
  itkNewMacro(Plateau);
  static constexpr int window = 10;
  double plateau = 1e-3;
  int iterations = 0;
  int level = -1;
  const MultiRes* multi = nullptr;
  std::vector<double> metric;  // this level's, per iteration
  bool stopped = false;        // the last level stopped on the plateau

  void Execute(itk::Object* caller, const itk::EventObject& event) override {
    if (!itk::IterationEvent().CheckEvent(&event)) return;
    auto* demons = dynamic_cast<Demons*>(caller);
    if (!demons) return;
    ++iterations;
    if (int(multi->GetCurrentLevel()) != level) {
      level = int(multi->GetCurrentLevel());
      metric.clear();
      stopped = false;
    }
    metric.push_back(demons->GetMetric());
    const std::size_t n = metric.size();
    if (n > window && metric[n - 1 - window] > 0 &&
        metric[n - 1 - window] - metric[n - 1] < plateau * metric[n - 1 - window]) {
      stopped = true;
      demons->StopRegistration();
    }
  }
  void Execute(const itk::Object*, const itk::EventObject&) override {}
};

double mean_squared_difference(const float* a, const float* b, std::size_t n) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += double(a[i] - b[i]) * double(a[i] - b[i]);
  return n ? sum / double(n) : 0.0;
}

}  // namespace

DemonsResult register_demons(const Raw<float>& fixed_raw, const Raw<float>& moving_raw,
                             const DemonsParams& p) {
  if (p.levels < 1 || p.iterations < 1 || !(p.smoothing_voxels > 0) || !(p.max_step_voxels > 0) ||
      !(p.plateau > 0))
    throw Error(
        "deformable registration: needs levels >= 1, iterations >= 1 and a positive smoothing, "
        "step and tolerance");
  auto fixed = to_itk(fixed_raw);
  auto moving = to_itk(moving_raw);

  auto demons = Demons::New();
  demons->SetUseGradientType(itk::ESMDemonsRegistrationFunctionEnums::Gradient::Symmetric);
  demons->SetMaximumUpdateStepLength(p.max_step_voxels);
  demons->SmoothDisplacementFieldOn();
  demons->SetStandardDeviations(p.smoothing_voxels);
  if (p.fluid_voxels > 0) {
    demons->SmoothUpdateFieldOn();
    demons->SetUpdateFieldStandardDeviations(p.fluid_voxels);
  } else {
    demons->SmoothUpdateFieldOff();
  }
  demons->SetMaximumRMSError(0);  // Plateau decides

  auto multi = MultiRes::New();
  auto count = Plateau::New();
  count->plateau = p.plateau;
  count->multi = multi.GetPointer();
  demons->AddObserver(itk::IterationEvent(), count);
  multi->SetRegistrationFilter(demons);
  multi->SetNumberOfLevels(unsigned(p.levels));
  std::vector<unsigned> iterations(std::size_t(p.levels), unsigned(p.iterations));
  multi->SetNumberOfIterations(iterations.data());
  multi->SetFixedImage(fixed);
  multi->SetMovingImage(moving);
  try {
    multi->Update();
  } catch (const itk::ExceptionObject& e) {
    throw Error(std::string("deformable registration failed: ") + e.GetDescription());
  }
  Field::Pointer field = multi->GetOutput();

  using Warp = itk::WarpImageFilter<F, F, Field>;
  auto warp = Warp::New();
  warp->SetInput(moving);
  warp->SetDisplacementField(field);
  warp->SetOutputParametersFromImage(fixed);
  warp->SetEdgePaddingValue(0);
  warp->Update();

  DemonsResult out;
  const std::size_t n = fixed_raw.data.size();
  out.field.resize(3 * n);
  const auto* v = field->GetBufferPointer();
  for (std::size_t i = 0; i < n; ++i)
    for (int a = 0; a < 3; ++a) out.field[3 * i + std::size_t(a)] = v[i][unsigned(a)];
  out.mismatch_before = mean_squared_difference(fixed_raw.data.data(), moving_raw.data.data(), n);
  out.mismatch_after =
      mean_squared_difference(fixed_raw.data.data(), warp->GetOutput()->GetBufferPointer(), n);
  out.rms_change = demons->GetRMSChange();
  out.iterations = count->iterations;
  out.finest_iterations = int(count->metric.size());
  out.converged = count->stopped;
  return out;
}

}  // namespace hemotwin::imaging::itk_ops
