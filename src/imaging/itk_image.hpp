#pragma once
// itk::Image <-> the plain buffers of itk_ops (private; ITK side: include only from the files that
// include ITK, never with Eigen -- see itk_ops.hpp).
#include <itkAffineTransform.h>
#include <itkImage.h>
#include <itkImageRegionConstIterator.h>

#include <algorithm>

#include "itk_ops.hpp"

namespace hemotwin::imaging::itk_ops {

template <class T>
using Img = itk::Image<T, 3>;

template <class T>
inline typename Img<T>::Pointer empty_like(const RawGrid& g) {
  auto img = Img<T>::New();
  typename Img<T>::RegionType region;
  typename Img<T>::SizeType size;
  for (int a = 0; a < 3; ++a) size[a] = itk::SizeValueType(g.size[a]);
  region.SetSize(size);
  img->SetRegions(region);
  typename Img<T>::PointType origin;
  typename Img<T>::SpacingType spacing;
  typename Img<T>::DirectionType direction;
  for (int a = 0; a < 3; ++a) {
    origin[a] = g.origin[a];
    spacing[a] = g.spacing[a];
    for (int b = 0; b < 3; ++b) direction[a][b] = g.direction[3 * a + b];
  }
  img->SetOrigin(origin);
  img->SetSpacing(spacing);
  img->SetDirection(direction);
  img->Allocate();
  return img;
}

template <class T>
inline typename Img<T>::Pointer to_itk(const Raw<T>& r) {
  auto img = empty_like<T>(r.grid);
  std::copy(r.data.begin(), r.data.end(), img->GetBufferPointer());
  return img;
}

inline RawGrid grid_of(const itk::ImageBase<3>* img) {
  RawGrid g;
  const auto region = img->GetLargestPossibleRegion();
  for (int a = 0; a < 3; ++a) {
    g.size[a] = int(region.GetSize()[a]);
    g.origin[a] = img->GetOrigin()[a];
    g.spacing[a] = img->GetSpacing()[a];
    for (int b = 0; b < 3; ++b) g.direction[3 * a + b] = img->GetDirection()[a][b];
  }
  const auto start = region.GetIndex();
  if (start[0] != 0 || start[1] != 0 || start[2] != 0) {
    itk::ImageBase<3>::PointType p;
    img->TransformIndexToPhysicalPoint(start, p);
    for (int a = 0; a < 3; ++a) g.origin[a] = p[a];
  }
  return g;
}

template <class T, class Image>
inline Raw<T> from_itk(const Image* img) {
  Raw<T> r;
  r.grid = grid_of(img);
  r.data.resize(r.grid.voxels());
  itk::ImageRegionConstIterator<Image> it(img, img->GetLargestPossibleRegion());
  std::size_t n = 0;
  for (it.GoToBegin(); !it.IsAtEnd(); ++it) r.data[n++] = static_cast<T>(it.Get());
  return r;
}

inline itk::AffineTransform<double, 3>::Pointer to_itk(const RawAffine& a) {
  auto t = itk::AffineTransform<double, 3>::New();
  itk::AffineTransform<double, 3>::MatrixType m;
  itk::AffineTransform<double, 3>::OutputVectorType offset;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) m[r][c] = a.matrix[3 * r + c];
    offset[r] = a.translation[r];
  }
  t->SetMatrix(m);
  t->SetOffset(offset);
  return t;
}

/// Any of ITK's matrix-offset transforms (versor rigid, affine) as p -> matrix * p + offset.
template <class Transform>
inline RawAffine from_itk(const Transform& t) {
  RawAffine a;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) a.matrix[3 * r + c] = t.GetMatrix()[r][c];
    a.translation[r] = t.GetOffset()[r];
  }
  return a;
}

}  // namespace hemotwin::imaging::itk_ops
