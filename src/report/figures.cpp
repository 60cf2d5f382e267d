#include "hemotwin/report/figures.hpp"

#include <vtkActor.h>
#include <vtkArrowSource.h>
#include <vtkAxis.h>
#include <vtkBase64Utilities.h>
#include <vtkCamera.h>
#include <vtkChartXY.h>
#include <vtkColorTransferFunction.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkDataArray.h>
#include <vtkDoubleArray.h>
#include <vtkGlyph3D.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageMapToColors.h>
#include <vtkImageMapper3D.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkPlot.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTable.h>
#include <vtkTextProperty.h>
#include <vtkWindowToImageFilter.h>
#include <vtkXMLPolyDataReader.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "hemotwin/core/error.hpp"
#include "x_display.hpp"

namespace fs = std::filesystem;

namespace hemotwin::report {
namespace {

void need_display() {
  if (!can_render())
    throw Error(
        "rendering the report's figures needs an X display (Debian's VTK renders through X) and "
        "DISPLAY is not set: run the command under xvfb-run -a (Debian package xvfb), or leave "
        "the figures out (--no-figures)");
}

/// The window's pixels as a PNG file.
void write_png(vtkRenderWindow* window, const fs::path& png) {
  vtkNew<vtkWindowToImageFilter> grab;
  grab->SetInput(window);
  grab->SetInputBufferTypeToRGB();
  grab->ReadFrontBufferOff();
  grab->Update();
  vtkNew<vtkPNGWriter> writer;
  writer->SetFileName(png.string().c_str());
  writer->SetInputConnection(grab->GetOutputPort());
  writer->Write();
  if (writer->GetErrorCode() != 0 || !fs::exists(png))
    throw Error("could not write the figure", png.string());
}

// Viridis (van der Walt & Smith, matplotlib's default): perceptually uniform, legible in grey.
constexpr double kViridis[5][4] = {{0.00, 0.267, 0.005, 0.329},
                                   {0.25, 0.229, 0.322, 0.545},
                                   {0.50, 0.128, 0.567, 0.551},
                                   {0.75, 0.369, 0.789, 0.383},
                                   {1.00, 0.993, 0.906, 0.144}};
// Matplotlib's tab10, for lines.
constexpr unsigned char kLines[6][3] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},
                                        {214, 39, 40},  {148, 103, 189}, {140, 86, 75}};

}  // namespace

bool can_render() {
  const char* d = std::getenv("DISPLAY");
  return d != nullptr && *d != '\0';
}

void render_wall_map(const fs::path& vtp, const WallMap& map, const fs::path& png) {
  if (!fs::is_regular_file(vtp)) throw Error("no such wall surface", vtp.string());
  vtkNew<vtkXMLPolyDataReader> reader;
  reader->SetFileName(vtp.string().c_str());
  reader->Update();
  vtkPolyData* read = reader->GetOutput();
  if (!read || read->GetNumberOfPoints() == 0)
    throw Error("not a VTK polydata file with points", vtp.string());
  vtkDataArray* values = read->GetPointData()->GetArray(map.array.c_str());
  if (!values || values->GetNumberOfComponents() != 1)
    throw Error("the surface has no scalar point array '" + map.array + "'", vtp.string());
  need_display();

  vtkNew<vtkPolyData> poly;
  poly->ShallowCopy(read);
  vtkNew<vtkDoubleArray> scaled;
  scaled->SetName(map.array.c_str());
  const vtkIdType n = values->GetNumberOfTuples();
  scaled->SetNumberOfTuples(n);
  std::vector<double> sorted(static_cast<std::size_t>(n));
  for (vtkIdType i = 0; i < n; ++i) {
    const double v = values->GetTuple1(i) * map.scale;
    scaled->SetValue(i, v);
    sorted[std::size_t(i)] = v;
  }
  poly->GetPointData()->SetScalars(scaled);
  std::sort(sorted.begin(), sorted.end());
  double lo = std::isnan(map.min) ? sorted[std::size_t(0.02 * double(n - 1))] : map.min;
  double hi = std::isnan(map.max) ? sorted[std::size_t(0.98 * double(n - 1))] : map.max;
  if (!(hi > lo)) hi = lo + (lo != 0 ? std::abs(lo) * 1e-3 : 1e-12);

  vtkNew<vtkColorTransferFunction> colours;
  for (const auto& c : kViridis) colours->AddRGBPoint(lo + c[0] * (hi - lo), c[1], c[2], c[3]);
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(poly);
  mapper->SetLookupTable(colours);
  mapper->SetScalarRange(lo, hi);
  mapper->SetScalarModeToUsePointData();
  mapper->ScalarVisibilityOn();
  vtkNew<vtkActor> actor;
  actor->SetMapper(mapper);

  vtkNew<vtkScalarBarActor> bar;
  bar->SetLookupTable(colours);
  bar->SetTitle(map.title.c_str());
  bar->SetNumberOfLabels(5);
  bar->SetOrientationToHorizontal();
  bar->SetPosition(0.2, 0.03);
  bar->SetWidth(0.6);
  bar->SetHeight(0.14);
  for (vtkTextProperty* t : {bar->GetTitleTextProperty(), bar->GetLabelTextProperty()}) {
    t->SetColor(0.1, 0.1, 0.1);
    t->ShadowOff();
    t->ItalicOff();
  }

  // The view: along the direction the wall spreads least, the longest extent across the image.
  Eigen::Vector3d centre = Eigen::Vector3d::Zero();
  const vtkIdType np = poly->GetNumberOfPoints();
  for (vtkIdType i = 0; i < np; ++i) centre += Eigen::Vector3d(poly->GetPoint(i));
  centre /= double(np);
  Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
  for (vtkIdType i = 0; i < np; ++i) {
    const Eigen::Vector3d d = Eigen::Vector3d(poly->GetPoint(i)) - centre;
    cov += d * d.transpose();
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(cov);
  const Eigen::Vector3d look = eig.eigenvectors().col(0), up = eig.eigenvectors().col(1);

  vtkNew<vtkRenderer> renderer;
  renderer->SetBackground(1, 1, 1);
  renderer->AddActor(actor);
  renderer->AddActor2D(bar);
  renderer->SetViewport(0, 0, 1, 1);
  vtkCamera* camera = renderer->GetActiveCamera();
  camera->SetFocalPoint(centre.data());
  const Eigen::Vector3d eye = centre + look;
  camera->SetPosition(eye.data());
  camera->SetViewUp(up.data());
  renderer->ResetCamera();
  camera->Zoom(1.25);
  vtkNew<vtkRenderWindow> window;
  window->SetDisplayId(x_display());
  window->SetOffScreenRendering(1);
  window->SetSize(map.width, map.height);
  window->AddRenderer(renderer);
  window->Render();
  write_png(window, png);
}

void render_chart(const std::vector<Series>& series, const Chart& chart, const fs::path& png) {
  if (series.empty()) throw Error("a chart needs a series", png.string());
  need_display();
  vtkNew<vtkContextView> view;
  view->GetRenderWindow()->SetDisplayId(x_display());
  view->GetRenderWindow()->SetOffScreenRendering(1);
  view->GetRenderWindow()->SetSize(chart.width, chart.height);
  view->GetRenderer()->SetBackground(1, 1, 1);
  vtkNew<vtkChartXY> xy;
  view->GetScene()->AddItem(xy);
  xy->SetTitle(chart.title);
  xy->GetAxis(vtkAxis::BOTTOM)->SetTitle(chart.x_label);
  xy->GetAxis(vtkAxis::LEFT)->SetTitle(chart.y_label);
  xy->SetShowLegend(series.size() > 1);
  std::vector<vtkSmartPointer<vtkTable>> tables;
  for (std::size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    if (s.x.size() != s.y.size() || s.x.size() < 2)
      throw Error("series '" + s.name + "': x and y must have the same length, 2 or more",
                  png.string());
    auto table = vtkSmartPointer<vtkTable>::New();
    vtkNew<vtkDoubleArray> x, y;
    x->SetName(chart.x_label.c_str());
    y->SetName(s.name.c_str());
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      x->InsertNextValue(s.x[i]);
      y->InsertNextValue(s.y[i]);
    }
    table->AddColumn(x);
    table->AddColumn(y);
    vtkPlot* line = xy->AddPlot(vtkChart::LINE);
    line->SetInputData(table, 0, 1);
    const auto& c = kLines[k % 6];
    line->SetColor(c[0], c[1], c[2], 255);
    line->SetWidth(2.0);
    tables.push_back(table);
  }
  view->GetRenderWindow()->Render();
  write_png(view->GetRenderWindow(), png);
}

void render_slice(const Slice& slice, const fs::path& png) {
  const std::size_t n = std::size_t(slice.nx) * std::size_t(slice.ny);
  if (slice.nx < 2 || slice.ny < 2 || slice.speed.size() != n || slice.u.size() != n ||
      slice.v.size() != n)
    throw Error("a slice needs nx x ny >= 2 x 2 values of speed, u and v", png.string());
  double hi = 0;
  for (double s : slice.speed)
    if (std::isfinite(s)) hi = std::max(hi, s);
  if (!(hi > 0)) hi = 1e-12;
  need_display();

  vtkNew<vtkImageData> image;
  image->SetDimensions(slice.nx, slice.ny, 1);
  image->SetSpacing(slice.pixel, slice.pixel, slice.pixel);
  vtkNew<vtkDoubleArray> speed;
  speed->SetName("speed");
  speed->SetNumberOfTuples(vtkIdType(n));
  for (std::size_t i = 0; i < n; ++i) speed->SetValue(vtkIdType(i), slice.speed[i]);
  image->GetPointData()->SetScalars(speed);

  vtkNew<vtkColorTransferFunction> colours;
  for (const auto& c : kViridis) colours->AddRGBPoint(c[0] * hi, c[1], c[2], c[3]);
  vtkNew<vtkLookupTable> table;
  table->SetNumberOfTableValues(256);
  table->SetRange(0, hi);
  for (int i = 0; i < 256; ++i) {
    double rgb[3];
    colours->GetColor(hi * i / 255.0, rgb);
    table->SetTableValue(i, rgb[0], rgb[1], rgb[2], 1.0);
  }
  table->SetNanColor(1, 1, 1, 1);
  vtkNew<vtkImageMapToColors> mapped;
  mapped->SetInputData(image);
  mapped->SetLookupTable(table);
  mapped->SetOutputFormatToRGB();
  vtkNew<vtkImageActor> actor;
  actor->GetMapper()->SetInputConnection(mapped->GetOutputPort());
  actor->InterpolateOff();  // the cells as they are

  // Arrows of the in-plane velocity, about 24 across the slice, their length the speed.
  const int every = std::max(1, std::max(slice.nx, slice.ny) / 24);
  vtkNew<vtkPoints> points;
  vtkNew<vtkDoubleArray> vectors;
  vectors->SetNumberOfComponents(3);
  for (int j = every / 2; j < slice.ny; j += every)
    for (int i = every / 2; i < slice.nx; i += every) {
      const std::size_t k = std::size_t(i) + std::size_t(slice.nx) * std::size_t(j);
      if (!std::isfinite(slice.speed[k])) continue;
      points->InsertNextPoint(i * slice.pixel, j * slice.pixel, 0.01 * slice.pixel);
      vectors->InsertNextTuple3(slice.u[k], slice.v[k], 0);
    }
  vtkNew<vtkPolyData> seeds;
  seeds->SetPoints(points);
  seeds->GetPointData()->SetVectors(vectors);
  vtkNew<vtkArrowSource> arrow;
  vtkNew<vtkGlyph3D> glyphs;
  glyphs->SetInputData(seeds);
  glyphs->SetSourceConnection(arrow->GetOutputPort());
  glyphs->SetVectorModeToUseVector();
  glyphs->SetScaleModeToScaleByVector();
  glyphs->OrientOn();
  glyphs->SetScaleFactor(1.8 * every * slice.pixel / hi);
  vtkNew<vtkPolyDataMapper> arrows_mapper;
  arrows_mapper->SetInputConnection(glyphs->GetOutputPort());
  arrows_mapper->ScalarVisibilityOff();
  vtkNew<vtkActor> arrows;
  arrows->SetMapper(arrows_mapper);
  arrows->GetProperty()->SetColor(0.9, 0.9, 0.9);

  vtkNew<vtkScalarBarActor> bar;
  bar->SetLookupTable(table);
  bar->SetTitle(slice.title.c_str());
  bar->SetNumberOfLabels(5);
  bar->SetOrientationToHorizontal();
  bar->SetPosition(0.2, 0.02);
  bar->SetWidth(0.6);
  bar->SetHeight(0.12);
  for (vtkTextProperty* t : {bar->GetTitleTextProperty(), bar->GetLabelTextProperty()}) {
    t->SetColor(0.1, 0.1, 0.1);
    t->ShadowOff();
    t->ItalicOff();
  }
  vtkNew<vtkRenderer> renderer;
  renderer->SetBackground(1, 1, 1);
  renderer->AddActor(actor);
  if (points->GetNumberOfPoints() > 0) renderer->AddActor(arrows);
  renderer->AddActor2D(bar);
  vtkCamera* camera = renderer->GetActiveCamera();
  camera->ParallelProjectionOn();
  renderer->ResetCamera();
  // The slice in the window's upper 80 %, clear of the colour bar below it.
  const double scale = camera->GetParallelScale();
  double focal[3], eye[3];
  camera->GetFocalPoint(focal);
  camera->GetPosition(eye);
  focal[1] -= 0.25 * scale;
  eye[1] -= 0.25 * scale;
  camera->SetFocalPoint(focal);
  camera->SetPosition(eye);
  camera->SetParallelScale(1.2 * scale);
  vtkNew<vtkRenderWindow> window;
  window->SetDisplayId(x_display());
  window->SetOffScreenRendering(1);
  window->SetSize(slice.width, slice.height);
  window->AddRenderer(renderer);
  window->Render();
  write_png(window, png);
}

std::string data_uri(const fs::path& png) {
  std::ifstream in(png, std::ios::binary);
  if (!in) throw Error("cannot read the figure", png.string());
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                         std::istreambuf_iterator<char>());
  std::string out((bytes.size() + 2) / 3 * 4 + 4, '\0');
  const unsigned long n =
      vtkBase64Utilities::Encode(bytes.data(), static_cast<unsigned long>(bytes.size()),
                                 reinterpret_cast<unsigned char*>(out.data()), 0);
  out.resize(n);
  return "data:image/png;base64," + out;
}

}  // namespace hemotwin::report
