// Every ITK call of hemotwin::imaging (see itk_ops.hpp for why they live apart). The ImageIO is
// chosen explicitly by extension, or by asking each whether it can read the file, so no IO
// factory registration is needed. Only voxels and grid geometry leave: never a metadata dictionary.
#include "itk_ops.hpp"

#include <gdcmTrace.h>
#include <itkBinaryFillholeImageFilter.h>
#include <itkConnectedComponentImageFilter.h>
#include <itkConnectedThresholdImageFilter.h>
#include <itkCurvatureFlowImageFilter.h>
#include <itkDanielssonDistanceMapImageFilter.h>
#include <itkFastMarchingUpwindGradientImageFilter.h>
#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkHessian3DToVesselnessMeasureImageFilter.h>
#include <itkHessianToObjectnessMeasureImageFilter.h>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImageRegionConstIterator.h>
#include <itkImageSeriesReader.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkMetaImageIO.h>
#include <itkMultiScaleHessianBasedMeasureImageFilter.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>
#include <itkRelabelComponentImageFilter.h>
#include <itkResampleImageFilter.h>
#include <itkSignedMaurerDistanceMapImageFilter.h>
#include <itkSmoothingRecursiveGaussianImageFilter.h>
#include <itkSymmetricSecondRankTensor.h>
#include <itkThresholdSegmentationLevelSetImageFilter.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "hemotwin/core/error.hpp"
#include "image_checks.hpp"
#include "itk_image.hpp"

namespace hemotwin::imaging::itk_ops {
namespace {

std::string file_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return lower_name(slash == std::string::npos ? path : path.substr(slash + 1));
}

itk::ImageIOBase::Pointer io_for_extension(const std::string& path) {
  const std::string name = file_name(path);
  if (ends_with(name, ".nii") || ends_with(name, ".nii.gz")) return itk::NiftiImageIO::New();
  if (ends_with(name, ".nrrd") || ends_with(name, ".nhdr")) return itk::NrrdImageIO::New();
  if (ends_with(name, ".mha") || ends_with(name, ".mhd")) return itk::MetaImageIO::New();
  if (ends_with(name, ".dcm") || ends_with(name, ".ima")) return itk::GDCMImageIO::New();
  return nullptr;
}

itk::ImageIOBase::Pointer io_for_reading(const std::string& path) {
  if (auto io = io_for_extension(path)) return io;
  for (itk::ImageIOBase::Pointer io : {itk::ImageIOBase::Pointer(itk::GDCMImageIO::New()),
                                       itk::ImageIOBase::Pointer(itk::NiftiImageIO::New()),
                                       itk::ImageIOBase::Pointer(itk::NrrdImageIO::New()),
                                       itk::ImageIOBase::Pointer(itk::MetaImageIO::New())})
    if (io->CanReadFile(path.c_str())) return io;
  throw Error(std::string("not a scan hemotwin can read; formats: ") + kFormats, path);
}

template <class Filter>
void update(Filter& f, const std::string& path, const char* what) {
  try {
    f->Update();
  } catch (const itk::ExceptionObject& e) {
    throw Error(std::string(what) + e.GetDescription(), path);
  }
}

template <class T>
typename Img<T>::Pointer read(const std::string& path) {
  // ITK reads a truncated file into a partial buffer without a word (image_checks.hpp), and
  // allocates whatever a header announces: both are checked before it reads.
  check_image_file(path);
  auto io = io_for_reading(path);
  io->SetFileName(path);
  if (dynamic_cast<itk::GDCMImageIO*>(io.GetPointer()))  // one (multi-frame) DICOM file
    check_dicom_file(path, path, "the file", true);
  // Every query of the header may throw (an unknown voxel type throws from GetComponentSize:
  // found by fuzz_image), so all of them sit inside the one try.
  try {
    io->ReadImageInformation();
    std::uint64_t voxels = 1;
    std::string layout;
    for (unsigned a = 0; a < io->GetNumberOfDimensions(); ++a) {
      voxels *= io->GetDimensions(a);
      layout += (a ? " x " : "") + std::to_string(io->GetDimensions(a));
    }
    check_image_size(path, voxels * io->GetNumberOfComponents(), io->GetComponentSize(),
                     layout + " voxels");
    // The voxels of an uncompressed NIfTI file as ITK's own reading of the header counts them
    // (its byte-order guess can differ from ours; it allocated gigabytes for a 689-byte file:
    // fuzz_image) lie in it or in an .img beside it.
    if (dynamic_cast<itk::NiftiImageIO*>(io.GetPointer()) && !path.ends_with(".gz"))
      check_voxels_held(path, voxels * io->GetNumberOfComponents() * io->GetComponentSize(),
                        layout + " voxels");
  } catch (const itk::ExceptionObject& e) {
    throw Error(std::string("cannot read the scan's header: ") + e.GetDescription(), path);
  }
  auto reader = itk::ImageFileReader<Img<T>>::New();
  reader->SetImageIO(io);
  reader->SetFileName(path);
  update(reader, path, "cannot read the scan: ");
  return reader->GetOutput();
}

struct SeriesFiles {
  std::vector<std::string> uids;
  itk::GDCMSeriesFileNames::Pointer names;
};

SeriesFiles series_in(const std::string& folder) {
  // GDCM's scan of the folder reads every file's header: each is walked first, whole.
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(folder))
    if (e.is_regular_file()) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  for (std::size_t i = 0; i < files.size(); ++i)  // named by place: a file's name may be a UID
    check_dicom_file(
        files[i], folder,
        "file " + std::to_string(i + 1) + " of " + std::to_string(files.size()) + " (by name)",
        false);
  SeriesFiles s;
  s.names = itk::GDCMSeriesFileNames::New();
  s.names->SetUseSeriesDetails(true);
  s.names->SetDirectory(folder);
  s.uids = s.names->GetSeriesUIDs();
  std::sort(s.uids.begin(), s.uids.end());
  if (s.uids.empty())
    throw Error("the folder holds no DICOM series (no readable DICOM image files found)", folder);
  return s;
}

template <class T>
void write(const Raw<T>& r, const std::string& path) {
  // The caller checked the extension; the file name keeps it (ITK picks the format by it).
  auto writer = itk::ImageFileWriter<Img<T>>::New();
  writer->SetImageIO(io_for_extension(path));
  writer->SetFileName(path);
  writer->SetInput(to_itk(r));
  writer->SetUseCompression(true);
  update(writer, path, "cannot write: ");
}
}  // namespace

void quiet() {
  itk::Object::GlobalWarningDisplayOff();
  gdcm::Trace::SetWarning(false);
  gdcm::Trace::SetDebug(false);
  gdcm::Trace::SetError(false);
}

Raw<float> read_float(const std::string& path) {
  return from_itk<float>(read<float>(path).GetPointer());
}
Raw<double> read_double(const std::string& path) {
  return from_itk<double>(read<double>(path).GetPointer());
}

namespace {
itk::GDCMImageIO::Pointer dicom_header(const std::string& file, const std::string& folder) {
  auto io = itk::GDCMImageIO::New();
  io->SetFileName(file);
  try {
    io->ReadImageInformation();
  } catch (const itk::ExceptionObject& e) {
    throw Error(std::string("cannot read a DICOM header: ") + e.GetDescription(), folder);
  }
  return io;
}
}  // namespace

std::vector<SeriesInfo> dicom_series(const std::string& folder) {
  const SeriesFiles s = series_in(folder);
  std::vector<SeriesInfo> out;
  for (const auto& uid : s.uids) {
    const auto files = s.names->GetFileNames(uid);
    SeriesInfo d;
    d.files = int(files.size());
    d.names = files;
    const auto io = dicom_header(files.front(), folder);
    const unsigned dims = io->GetNumberOfDimensions();
    d.size[0] = int(io->GetDimensions(0));
    d.size[1] = dims > 1 ? int(io->GetDimensions(1)) : 1;
    d.size[2] = dims > 2 && io->GetDimensions(2) > 1 ? int(io->GetDimensions(2)) : d.files;
    for (unsigned a = 0; a < std::min(3u, dims); ++a) d.spacing[a] = io->GetSpacing(a);
    out.push_back(d);
  }
  return out;
}

namespace {
// The slices' Image Position (Patient) along their normal must step evenly (image_checks.hpp);
// each file was checked whole when the folder was listed (series_in).
void check_slices(const std::string& folder, const std::vector<std::string>& names,
                  const itk::GDCMImageIO& first) {
  if (names.size() < 3 || first.GetNumberOfDimensions() < 3 || first.GetDimensions(2) > 1) return;
  const auto r = first.GetDirection(0), c = first.GetDirection(1);
  const std::array<double, 3> normal{r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2],
                                     r[0] * c[1] - r[1] * c[0]};
  std::vector<std::array<double, 3>> positions;
  for (const auto& name : names) {
    const auto io = dicom_header(name, folder);
    positions.push_back({io->GetOrigin(0), io->GetOrigin(1), io->GetOrigin(2)});
  }
  check_slice_positions(folder, positions, normal);
}
}  // namespace

Raw<float> read_dicom_files(const std::string& folder, const std::vector<std::string>& names) {
  if (!names.empty()) {
    const auto io = dicom_header(names.front(), folder);
    const std::uint64_t slice = std::uint64_t(io->GetDimensions(0)) * io->GetDimensions(1);
    check_image_size(folder, slice * names.size(), io->GetComponentSize(),
                     std::to_string(io->GetDimensions(0)) + " x " +
                         std::to_string(io->GetDimensions(1)) + " x " +
                         std::to_string(names.size()) + " voxels");
    check_slices(folder, names, *io);
  }
  auto reader = itk::ImageSeriesReader<Img<float>>::New();
  reader->SetImageIO(itk::GDCMImageIO::New());
  reader->SetFileNames(names);
  reader->SetMetaDataDictionaryArrayUpdate(false);
  update(reader, folder, "cannot read the DICOM series: ");
  return from_itk<float>(reader->GetOutput());
}

void write_float(const Raw<float>& image, const std::string& path) { write(image, path); }
void write_u8(const Raw<std::uint8_t>& image, const std::string& path) { write(image, path); }

Raw<float> resample_linear(const Raw<float>& image, const RawGrid& reference, float outside,
                           const RawAffine* fixed_to_moving) {
  auto f = itk::ResampleImageFilter<Img<float>, Img<float>>::New();
  f->SetInput(to_itk(image));
  f->SetInterpolator(itk::LinearInterpolateImageFunction<Img<float>, double>::New());
  if (fixed_to_moving) f->SetTransform(to_itk(*fixed_to_moving));
  f->UseReferenceImageOn();
  f->SetReferenceImage(empty_like<float>(reference));
  f->SetDefaultPixelValue(outside);
  f->Update();
  return from_itk<float>(f->GetOutput());
}

Raw<std::uint8_t> resample_nearest(const Raw<std::uint8_t>& labels, const RawGrid& reference,
                                   std::uint8_t outside, const RawAffine& fixed_to_moving) {
  using U8 = Img<std::uint8_t>;
  auto f = itk::ResampleImageFilter<U8, U8>::New();
  f->SetInput(to_itk(labels));
  f->SetInterpolator(itk::NearestNeighborInterpolateImageFunction<U8, double>::New());
  f->SetTransform(to_itk(fixed_to_moving));
  f->UseReferenceImageOn();
  f->SetReferenceImage(empty_like<std::uint8_t>(reference));
  f->SetDefaultPixelValue(outside);
  f->Update();
  return from_itk<std::uint8_t>(f->GetOutput());
}

void gaussian_blur(Raw<float>& image, double sigma_mm) {
  auto f = itk::SmoothingRecursiveGaussianImageFilter<Img<float>, Img<float>>::New();
  f->SetInput(to_itk(image));
  f->SetSigma(sigma_mm);  // physical units: ITK uses the spacing
  f->Update();
  std::copy_n(f->GetOutput()->GetBufferPointer(), image.data.size(), image.data.begin());
}

void curvature_flow(Raw<float>& image, int iterations, double time_step) {
  auto f = itk::CurvatureFlowImageFilter<Img<float>, Img<float>>::New();
  f->SetInput(to_itk(image));
  f->SetNumberOfIterations(unsigned(iterations));
  f->SetTimeStep(time_step);
  f->Update();
  std::copy_n(f->GetOutput()->GetBufferPointer(), image.data.size(), image.data.begin());
}

Raw<std::uint8_t> connected_threshold(const Raw<float>& image, double lower, double upper,
                                      const std::vector<std::array<int, 3>>& seeds) {
  using Filter = itk::ConnectedThresholdImageFilter<Img<float>, Img<std::uint8_t>>;
  auto f = Filter::New();
  f->SetInput(to_itk(image));
  f->SetLower(float(lower));
  f->SetUpper(float(upper));
  f->SetReplaceValue(1);
  f->SetConnectivity(Filter::FaceConnectivity);
  for (const auto& s : seeds) f->AddSeed({s[0], s[1], s[2]});
  f->Update();
  return from_itk<std::uint8_t>(f->GetOutput());
}

namespace {
using Hessian = itk::Image<itk::SymmetricSecondRankTensor<double, 3>, 3>;

// The maximum over logarithmically spaced scales of a Hessian-based measure.
template <class Measure>
Raw<float> multiscale(const Raw<float>& image, Measure* measure, double sigma_min, double sigma_max,
                      int scales) {
  auto f = itk::MultiScaleHessianBasedMeasureImageFilter<Img<float>, Hessian, Img<float>>::New();
  f->SetInput(to_itk(image));
  f->SetHessianToMeasureFilter(measure);
  f->SetSigmaStepMethodToLogarithmic();
  f->SetSigmaMinimum(sigma_min);
  f->SetSigmaMaximum(sigma_max);
  f->SetNumberOfSigmaSteps(unsigned(std::max(1, scales)));
  f->Update();
  return from_itk<float>(f->GetOutput());
}
}  // namespace

Raw<float> vesselness(const Raw<float>& image, double sigma_min, double sigma_max, int scales,
                      bool bright, double alpha, double beta, double gamma) {
  auto objectness = itk::HessianToObjectnessMeasureImageFilter<Hessian, Img<float>>::New();
  objectness->SetObjectDimension(1);  // tubes
  objectness->SetBrightObject(bright);
  objectness->SetScaleObjectnessMeasure(false);
  objectness->SetAlpha(alpha);
  objectness->SetBeta(beta);
  objectness->SetGamma(gamma);
  return multiscale(image, objectness.GetPointer(), sigma_min, sigma_max, scales);
}

Raw<float> sato_vesselness(const Raw<float>& image, double sigma_min, double sigma_max, int scales,
                           double alpha1, double alpha2) {
  auto sato = itk::Hessian3DToVesselnessMeasureImageFilter<float>::New();
  sato->SetAlpha1(alpha1);
  sato->SetAlpha2(alpha2);
  return multiscale(image, sato.GetPointer(), sigma_min, sigma_max, scales);
}

Raw<std::uint8_t> threshold_level_set(const Raw<float>& feature, const Raw<std::uint8_t>& initial,
                                      double lower, double upper, double curvature, int iterations,
                                      double max_rms) {
  // Signed distance of the initial region, negative inside (ITK's level-set convention), mm.
  auto distance = itk::SignedMaurerDistanceMapImageFilter<Img<std::uint8_t>, Img<float>>::New();
  distance->SetInput(to_itk(initial));
  distance->SetInsideIsPositive(false);
  distance->SetUseImageSpacing(true);
  distance->SetSquaredDistance(false);
  distance->SetBackgroundValue(0);
  auto f = itk::ThresholdSegmentationLevelSetImageFilter<Img<float>, Img<float>, float>::New();
  f->SetInput(distance->GetOutput());
  f->SetFeatureImage(to_itk(feature));
  f->SetLowerThreshold(float(lower));
  f->SetUpperThreshold(float(upper));
  f->SetPropagationScaling(1.0);
  f->SetCurvatureScaling(curvature);
  f->SetMaximumRMSError(max_rms);
  f->SetNumberOfIterations(unsigned(iterations));
  f->Update();
  Raw<float> phi = from_itk<float>(f->GetOutput());
  Raw<std::uint8_t> mask{initial.grid, std::vector<std::uint8_t>(phi.data.size(), 0)};
  for (std::size_t n = 0; n < phi.data.size(); ++n) mask.data[n] = phi.data[n] <= 0 ? 1 : 0;
  return mask;
}

void fill_holes(Raw<std::uint8_t>& mask) {
  auto f = itk::BinaryFillholeImageFilter<Img<std::uint8_t>>::New();
  f->SetInput(to_itk(mask));
  f->SetForegroundValue(1);
  f->SetFullyConnected(false);
  f->Update();
  std::copy_n(f->GetOutput()->GetBufferPointer(), mask.data.size(), mask.data.begin());
}

int label_components(const Raw<std::uint8_t>& mask, std::vector<std::uint32_t>& ids) {
  using Ids = Img<std::uint32_t>;
  auto cc = itk::ConnectedComponentImageFilter<Img<std::uint8_t>, Ids>::New();
  cc->SetInput(to_itk(mask));
  cc->SetFullyConnected(false);
  auto relabel = itk::RelabelComponentImageFilter<Ids, Ids>::New();
  relabel->SetInput(cc->GetOutput());
  relabel->Update();
  const std::uint32_t* p = relabel->GetOutput()->GetBufferPointer();
  ids.assign(p, p + mask.data.size());
  return int(relabel->GetNumberOfObjects());
}

std::vector<float> signed_distance(const Raw<std::uint8_t>& mask) {
  auto f = itk::SignedMaurerDistanceMapImageFilter<Img<std::uint8_t>, Img<float>>::New();
  f->SetInput(to_itk(mask));
  f->SetUseImageSpacing(true);
  f->SetSquaredDistance(false);
  f->SetInsideIsPositive(false);
  f->SetBackgroundValue(0);
  f->Update();
  const float* p = f->GetOutput()->GetBufferPointer();
  return std::vector<float>(p, p + mask.data.size());
}

std::vector<float> signed_distance_in_slices(const Raw<std::uint8_t>& mask, int axis) {
  using Slice = itk::Image<std::uint8_t, 2>;
  using Distance = itk::Image<float, 2>;
  const int u = axis == 0 ? 1 : 0, v = axis == 2 ? 1 : 2;  // the in-plane axes, in order
  const RawGrid& g = mask.grid;
  std::vector<float> out(mask.data.size(), 0.0f);
  auto slice = Slice::New();
  Slice::RegionType region;
  region.SetSize({std::size_t(g.size[u]), std::size_t(g.size[v])});
  slice->SetRegions(region);
  const double spacing[2] = {g.spacing[u], g.spacing[v]};
  slice->SetSpacing(spacing);
  slice->Allocate();
  const auto at = [&](int s, int i, int j) {
    int ijk[3];
    ijk[axis] = s;
    ijk[u] = i;
    ijk[v] = j;
    return std::size_t(ijk[0]) +
           std::size_t(g.size[0]) * (ijk[1] + std::size_t(g.size[1]) * ijk[2]);
  };
  for (int s = 0; s < g.size[axis]; ++s) {
    std::uint8_t* p = slice->GetBufferPointer();
    bool any = false;
    for (int j = 0; j < g.size[v]; ++j)
      for (int i = 0; i < g.size[u]; ++i) {
        p[i + std::size_t(g.size[u]) * j] = mask.data[at(s, i, j)] ? 1 : 0;
        any |= mask.data[at(s, i, j)] != 0;
      }
    if (!any) {  // the vessel is not in this slice: far outside
      for (int j = 0; j < g.size[v]; ++j)
        for (int i = 0; i < g.size[u]; ++i) out[at(s, i, j)] = 1e30f;
      continue;
    }
    slice->Modified();
    auto f = itk::SignedMaurerDistanceMapImageFilter<Slice, Distance>::New();
    f->SetInput(slice);
    f->SetUseImageSpacing(true);
    f->SetSquaredDistance(false);
    f->SetInsideIsPositive(false);
    f->SetBackgroundValue(0);
    f->Update();
    const float* d = f->GetOutput()->GetBufferPointer();
    for (int j = 0; j < g.size[v]; ++j)
      for (int i = 0; i < g.size[u]; ++i) out[at(s, i, j)] = d[i + std::size_t(g.size[u]) * j];
  }
  return out;
}

std::vector<float> distance_to_mask(const Raw<std::uint8_t>& mask) {
  auto f = itk::DanielssonDistanceMapImageFilter<Img<std::uint8_t>, Img<float>>::New();
  f->SetInput(to_itk(mask));
  f->SetUseImageSpacing(true);
  f->SetInputIsBinary(true);
  f->SetSquaredDistance(false);
  f->Update();
  const float* p = f->GetOutput()->GetBufferPointer();
  return std::vector<float>(p, p + mask.data.size());
}

std::vector<float> arrival_time(const Raw<float>& speed, const std::array<int, 3>& seed,
                                const std::vector<std::array<int, 3>>& targets, float& unreached) {
  using Filter = itk::FastMarchingUpwindGradientImageFilter<Img<float>, Img<float>>;
  using Node = Filter::NodeType;
  auto node = [](const std::array<int, 3>& ijk) {
    Node n;
    Img<float>::IndexType index;
    for (int a = 0; a < 3; ++a) index[a] = ijk[std::size_t(a)];
    n.SetIndex(index);
    n.SetValue(0.0);
    return n;
  };
  auto f = Filter::New();
  f->SetInput(to_itk(speed));
  auto trial = Filter::NodeContainer::New();
  trial->Initialize();
  trial->InsertElement(0, node(seed));
  f->SetTrialPoints(trial);
  auto goals = Filter::NodeContainer::New();
  goals->Initialize();
  for (std::size_t k = 0; k < targets.size(); ++k) goals->InsertElement(k, node(targets[k]));
  f->SetTargetPoints(goals);
  f->SetTargetReachedModeToAllTargets();
  f->SetGenerateGradientImage(false);
  f->SetNormalizationFactor(1.0);
  f->Update();
  // The filter fills what the front did not reach with its "large value", max / 2 (protected).
  unreached = itk::NumericTraits<float>::max() / 2.0f;
  const float* p = f->GetOutput()->GetBufferPointer();
  return std::vector<float>(p, p + speed.data.size());
}

}  // namespace hemotwin::imaging::itk_ops
