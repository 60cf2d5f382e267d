// Intensity-based registration of two scans with ITK (see itk_ops.hpp for why ITK lives in its own
// translation units): ImageRegistrationMethodv4 with Mattes mutual information, a regular-step
// gradient descent whose scales come from the physical shift each parameter causes, and a
// shrink/smooth pyramid; a VersorRigid3DTransform first, then optionally an AffineTransform
// started from it (the order ITK's and 3D Slicer's BRAINSFit use).
#include <itkCenteredTransformInitializer.h>
#include <itkCommand.h>
#include <itkImageRegistrationMethodv4.h>
#include <itkMattesMutualInformationImageToImageMetricv4.h>
#include <itkRegistrationParameterScalesFromPhysicalShift.h>
#include <itkRegularStepGradientDescentOptimizerv4.h>
#include <itkVersorRigid3DTransform.h>

#include <sstream>

#include "hemotwin/core/error.hpp"
#include "itk_image.hpp"
#include "itk_ops.hpp"

namespace hemotwin::imaging::itk_ops {
namespace {

using F = Img<float>;
using Optimizer = itk::RegularStepGradientDescentOptimizerv4<double>;
using Metric = itk::MattesMutualInformationImageToImageMetricv4<F, F>;

// The optimizer's learning rate is estimated at the start of each level so that its first step
// shifts no point by more than max_step_mm; the minimum step is then set to the same fraction of
// it as min_step_mm is of max_step_mm, so the optimizer stops on a physical shift.
class PhysicalMinimumStep : public itk::Command {
 public:
  using Self = PhysicalMinimumStep;
  using Pointer = itk::SmartPointer<Self>;
  itkNewMacro(Self);
  double fraction = 1e-3;
  int iterations = 0;

  void Execute(itk::Object* caller, const itk::EventObject& event) override {
    auto* o = dynamic_cast<Optimizer*>(caller);
    if (!o || !itk::IterationEvent().CheckEvent(&event)) return;
    ++iterations;
    if (o->GetCurrentIteration() == 0) o->SetMinimumStepLength(o->GetLearningRate() * fraction);
  }
  void Execute(const itk::Object*, const itk::EventObject&) override {}
};

struct Stage {
  double metric = 0;
  int iterations = 0;
  std::string stop;
};

template <class Transform>
Stage run(const F* fixed, const F* moving, Transform* transform, const MattesParams& p,
          const std::vector<int>& shrink) {
  using Method = itk::ImageRegistrationMethodv4<F, F, Transform>;
  auto metric = Metric::New();
  metric->SetNumberOfHistogramBins(itk::SizeValueType(p.bins));
  metric->SetUseMovingImageGradientFilter(false);
  metric->SetUseFixedImageGradientFilter(false);

  auto scales = itk::RegistrationParameterScalesFromPhysicalShift<Metric>::New();
  scales->SetMetric(metric);
  auto optimizer = Optimizer::New();
  optimizer->SetScalesEstimator(scales);
  optimizer->SetDoEstimateLearningRateOnce(true);
  optimizer->SetDoEstimateLearningRateAtEachIteration(false);
  optimizer->SetMaximumStepSizeInPhysicalUnits(p.max_step_mm);
  optimizer->SetMinimumStepLength(0);
  optimizer->SetRelaxationFactor(0.5);
  optimizer->SetGradientMagnitudeTolerance(1e-8);
  optimizer->SetNumberOfIterations(itk::SizeValueType(p.iterations));
  optimizer->SetReturnBestParametersAndValue(true);
  auto observer = PhysicalMinimumStep::New();
  observer->fraction = p.min_step_mm / p.max_step_mm;
  optimizer->AddObserver(itk::IterationEvent(), observer);

  auto method = Method::New();
  method->SetFixedImage(fixed);
  method->SetMovingImage(moving);
  method->SetMetric(metric);
  method->SetOptimizer(optimizer);
  method->SetInitialTransform(transform);
  method->InPlaceOn();
  typename Method::ShrinkFactorsArrayType factors(shrink.size());
  typename Method::SmoothingSigmasArrayType sigmas(shrink.size());
  for (std::size_t l = 0; l < shrink.size(); ++l) {
    factors[l] = itk::SizeValueType(shrink[l]);
    sigmas[l] = shrink[l] > 1 ? 0.5 * shrink[l] : 0.0;  // voxels, as ITK's examples: 2, 1, 0
  }
  method->SetNumberOfLevels(itk::SizeValueType(shrink.size()));
  method->SetShrinkFactorsPerLevel(factors);
  method->SetSmoothingSigmasPerLevel(sigmas);
  method->SetSmoothingSigmasAreSpecifiedInPhysicalUnits(false);
  method->SetMetricSamplingStrategy(Method::MetricSamplingStrategyType::RANDOM);
  method->SetMetricSamplingPercentage(p.sampling);
  method->MetricSamplingReinitializeSeed(int(p.seed % 2147483647u));
  try {
    method->Update();
  } catch (const itk::ExceptionObject& e) {
    throw Error(std::string("registration failed: ") + e.GetDescription());
  }
  return {optimizer->GetValue(), observer->iterations, optimizer->GetStopConditionDescription()};
}

}  // namespace

MattesResult register_mattes(const Raw<float>& fixed_raw, const Raw<float>& moving_raw,
                             const MattesParams& p) {
  if (p.shrink.empty() || p.iterations < 1 || !(p.sampling > 0 && p.sampling <= 1) || p.bins < 8 ||
      !(p.max_step_mm > 0) || !(p.min_step_mm > 0))
    throw Error(
        "registration: needs levels, iterations >= 1, a sampling fraction in (0, 1], "
        ">= 8 histogram bins and positive step sizes");
  auto fixed = to_itk(fixed_raw);
  auto moving = to_itk(moving_raw);

  using Rigid = itk::VersorRigid3DTransform<double>;
  auto rigid = Rigid::New();
  auto init = itk::CenteredTransformInitializer<Rigid, F, F>::New();
  init->SetTransform(rigid);
  init->SetFixedImage(fixed);
  init->SetMovingImage(moving);
  if (p.moments) {
    init->MomentsOn();
  } else {
    init->GeometryOn();
  }
  init->InitializeTransform();
  if (!p.moments) {  // the centre of rotation at the fixed image's centre, nothing moved
    Rigid::OutputVectorType zero;
    zero.Fill(0);
    rigid->SetTranslation(zero);
  }

  MattesResult out;
  const Stage a = run(fixed.GetPointer(), moving.GetPointer(), rigid.GetPointer(), p, p.shrink);
  out.rigid = from_itk(*rigid);
  out.metric_rigid = a.metric;
  out.iterations_rigid = a.iterations;
  out.stop = a.stop;
  out.affine = out.rigid;
  out.metric_affine = a.metric;
  if (p.affine) {
    using Affine = itk::AffineTransform<double, 3>;
    auto affine = Affine::New();
    affine->SetCenter(rigid->GetCenter());
    affine->SetMatrix(rigid->GetMatrix());
    affine->SetTranslation(rigid->GetTranslation());
    const std::vector<int> last(p.shrink.end() - std::min<std::ptrdiff_t>(2, p.shrink.size()),
                                p.shrink.end());
    MattesParams q = p;
    q.max_step_mm = 0.25 * p.max_step_mm;
    const Stage b = run(fixed.GetPointer(), moving.GetPointer(), affine.GetPointer(), q, last);
    out.affine = from_itk(*affine);
    out.metric_affine = b.metric;
    out.iterations_affine = b.iterations;
    out.stop = b.stop;
  }
  return out;
}

}  // namespace hemotwin::imaging::itk_ops
